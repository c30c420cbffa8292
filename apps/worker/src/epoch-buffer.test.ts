import type { EpochReport } from "@hpo/core";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createEpochBuffer } from "./epoch-buffer.ts";

const report = (epoch: number): EpochReport => ({ epoch, folds: [{ acc: epoch / 10 }], value: epoch / 10 });

/** A buffer (250 ms interval) whose writes record the epochs of each batch in `writes`. */
function recordingBuffer() {
  const writes: number[][] = [];
  const buf = createEpochBuffer(
    async (rs) => void writes.push(rs.map((r) => r.epoch)),
    () => {},
    250,
    performance.now(),
  );
  return { writes, buf };
}

describe("EpochBuffer", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("batches fast epochs into one write per interval, in order, and flushes the rest on demand", async () => {
    vi.useFakeTimers();
    const { writes, buf } = recordingBuffer();
    for (let e = 1; e <= 3; e++) buf.add(report(e));
    expect(writes).toEqual([]); // younger than the interval: held back
    await vi.advanceTimersByTimeAsync(250);
    expect(writes).toEqual([[1, 2, 3]]); // the timer wrote them
    buf.add(report(4));
    buf.add(report(5));
    buf.flush();
    expect(writes).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
    buf.flush(); // nothing pending: no empty write
    await vi.advanceTimersByTimeAsync(1000);
    expect(writes).toHaveLength(2);
  });

  it("writes a slow epoch at once (real training: one write per epoch, no delay)", async () => {
    vi.useFakeTimers();
    const { writes, buf } = recordingBuffer();
    await vi.advanceTimersByTimeAsync(300);
    buf.add(report(1));
    expect(writes).toEqual([[1]]);
    await vi.advanceTimersByTimeAsync(300);
    buf.add(report(2));
    expect(writes).toEqual([[1], [2]]);
    buf.close();
  });

  it("reports a failed write to onError instead of throwing", async () => {
    const errors: unknown[] = [];
    const buf = createEpochBuffer(
      () => Promise.reject(new Error("redis down")),
      (e) => errors.push(e),
      0,
    );
    buf.add(report(1));
    await new Promise((r) => setTimeout(r, 0));
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe("redis down");
  });

  it("take() hands back the pending epochs without writing them and drops the timer", async () => {
    vi.useFakeTimers();
    const { writes, buf } = recordingBuffer();
    buf.add(report(1));
    buf.add(report(2));
    expect(buf.take().map((r) => r.epoch)).toEqual([1, 2]);
    expect(buf.take()).toEqual([]);
    await vi.advanceTimersByTimeAsync(1000);
    buf.close();
    expect(writes).toEqual([]); // taken epochs are the caller's to write
  });
});
