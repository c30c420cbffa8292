import type { SweepStatus } from "@hpo/core";
import { describe, expect, it } from "vitest";
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("SweepStatusCache", () => {
  it("shares one read among concurrent callers and re-reads a running sweep after the TTL", async () => {
    const f = fakeStore("running");
    const cache = createSweepStatusCache(f.store, 30);
    expect(await Promise.all([cache.get("s"), cache.get("s"), cache.get("s")])).toEqual([
      "running",
      "running",
      "running",
    ]);
    expect(f.reads()).toBe(1);
    f.set("cancelled");
    expect(await cache.get("s")).toBe("running"); // within the TTL
    await sleep(40);
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
