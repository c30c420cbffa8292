/**
 * Where a sweep table's bulk loads come from. `createScanThread` reads and decodes in a worker
 * thread (scan-thread.ts) with its own Redis connection, so that loading 100,000 trials leaves the
 * coordinator's event loop free (it only copies the transferred columns in). Without a thread (no
 * tsx, or it failed to start) or without a Redis URL, `inlineChunks` does the same on the main thread.
 */
import type { TrialScan } from "@hpo/store";
import { createRequestThread } from "../request-thread.ts";
import type { ScanRequest } from "./scan-thread.ts";
import { type TrialChunk, toChunk } from "./trial-chunk.ts";

export interface ChunkSource {
  /** Trials of ranks `offset` … `offset + count − 1` of the sweep's trial set (index order). */
  range(sweepId: string, offset: number, count: number, folds: number): Promise<TrialChunk>;
  /** Starts the thread now rather than at the first read (optional). */
  start?(): void;
  /** Resolves true once reads go to a thread, false if they run on the main thread (optional). */
  whenReady?(): Promise<boolean>;
  /** Stops the thread (if any). */
  close(): Promise<void>;
}

export function inlineChunks(scan: TrialScan): ChunkSource {
  return {
    range: async (sweepId, offset, count, folds) => toChunk(await scan.range(sweepId, offset, count), folds),
    close: async () => {},
  };
}

/** A scan thread on `redisUrl` / `prefix`; `fallback` serves when the thread cannot run. */
export function createScanThread(o: {
  readonly redisUrl: string;
  readonly prefix: string;
  readonly fallback: TrialScan;
}): ChunkSource {
  const inline = inlineChunks(o.fallback);
  const thread = createRequestThread<ScanRequest, TrialChunk>({
    callerUrl: import.meta.url,
    name: "scan-thread",
    workerData: { redisUrl: o.redisUrl, prefix: o.prefix },
    // it holds a few batches at a time: a small heap keeps the coordinator's RSS down after a big load
    resourceLimits: { maxOldGenerationSizeMb: 96, maxYoungGenerationSizeMb: 16 },
    inline: (r) => inline.range(r.sweepId, r.offset, r.count, r.folds),
  });
  return {
    start: thread.start,
    whenReady: thread.whenReady,
    range: (sweepId, offset, count, folds) =>
      thread.request({ sweepId, offset, count, folds }).catch((e: Error) => {
        throw new Error(`dashboard: reading trials ${offset}+${count} of sweep "${sweepId}": ${e.message}`);
      }),
    close: thread.close,
  };
}
