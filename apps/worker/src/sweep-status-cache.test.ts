import type { SweepStatus } from "@hpo/core";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createSweepStatusCache } from "./sweep-status-cache.ts";

function fakeStore(initial: SweepStatus) {
  let status: SweepStatus | undefined = initial;
  let reads = 0;
  let fail = false;
  return {
    store: {
      getSweepStatus: async () => {
        reads++;
        if (fail) throw new Error("redis down");
        return status;
      },
    },
    set: (s: SweepStatus | undefined) => {
      status = s;
    },
    failNext: (f: boolean) => {
      fail = f;
    },
    reads: () => reads,
  };
}

// fake timers (performance.now included): the cache's ages are exact, whatever the machine load
const sleep = (ms: number) => vi.advanceTimersByTimeAsync(ms);
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("SweepStatusCache", () => {
  it("shares one read among concurrent callers and re-reads a running sweep after the TTL", async () => {
    const f = fakeStore("running");
    const cache = createSweepStatusCache(f.store, 10);
    expect(await Promise.all([cache.get("s"), cache.get("s"), cache.get("s")])).toEqual([
      "running",
      "running",
      "running",
    ]);
    expect(f.reads()).toBe(1);
    f.set("cancelled");
    expect(await cache.get("s")).toBe("running"); // within the TTL
    await sleep(50); // older than 4 × TTL: a fresh read
    expect(await cache.get("s")).toBe("cancelled");
    expect(f.reads()).toBe(2);
  });

  it("keeps a final status for good and takes a cancel broadcast at once", async () => {
    const f = fakeStore("completed");
    const cache = createSweepStatusCache(f.store, 1);
    expect(await cache.get("a")).toBe("completed");
    await sleep(5);
    expect(await cache.get("a")).toBe("completed");
    expect(f.reads()).toBe(1);

    f.set("running");
    expect(await cache.get("b")).toBe("running");
    cache.markCancelled("b");
    expect(await cache.get("b")).toBe("cancelled");
    expect(f.reads()).toBe(2);
  });

  it("does not cache a failed read, nor a missing sweep", async () => {
    const f = fakeStore("running");
    const cache = createSweepStatusCache(f.store, 60_000);
    f.failNext(true);
    await expect(cache.get("s")).rejects.toThrow("redis down");
    f.failNext(false);
    expect(await cache.get("s")).toBe("running");
    f.set(undefined);
    const other = createSweepStatusCache(f.store, 0);
    expect(await other.get("gone")).toBeUndefined();
    f.set("running");
    expect(await other.get("gone")).toBe("running");
  });
});

describe("SweepStatusCache: stale-while-revalidate of a running sweep", () => {
  it("serves a recently expired 'running' at once while re-reading in the background", async () => {
    const f = fakeStore("running");
    const cache = createSweepStatusCache(f.store, 20);
    expect(await cache.get("s")).toBe("running");
    f.set("cancelled");
    await sleep(30); // expired, but younger than 4 × TTL
    expect(await cache.get("s")).toBe("running"); // stale answer, no wait
    expect(f.reads()).toBe(2); // ... and one background read started
    await sleep(5);
    expect(await cache.get("s")).toBe("cancelled"); // the fresh read landed
    expect(f.reads()).toBe(2); // final statuses are kept
  });

  it("waits for a fresh read once the answer is older than 4 × TTL", async () => {
    const f = fakeStore("running");
    const cache = createSweepStatusCache(f.store, 5);
    expect(await cache.get("s")).toBe("running");
    f.set("completed");
    await sleep(30);
    expect(await cache.get("s")).toBe("completed");
  });

  it("a cancel broadcast wins over a background read that lands later", async () => {
    const f = fakeStore("running");
    const cache = createSweepStatusCache(f.store, 10);
    expect(await cache.get("s")).toBe("running");
    await sleep(15);
    void cache.get("s"); // starts a background read that will answer "running"
    cache.markCancelled("s");
    await sleep(5);
    expect(await cache.get("s")).toBe("cancelled");
  });
});
