/**
 * Where a sweep table's bulk loads come from. `createScanThread` reads and decodes in a worker
 * thread with its own Redis connection, so that loading 100,000 trials leaves the coordinator's
 * event loop free (it only copies the transferred columns in). Without a thread (no tsx, or it
 * failed to start) or without a Redis URL, `inlineChunks` does the same on the main thread.
 */
import { Worker } from "node:worker_threads";
import type { TrialScan } from "@hpo/store";
import type { ScanRequest } from "./scan-worker.ts";
import { threadCode } from "./thread-code.ts";
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

type Reply = { readonly id: number; readonly chunk?: TrialChunk; readonly error?: string };

/** A scan thread on `redisUrl` / `prefix`; `fallback` serves when the thread cannot run. */
export function createScanThread(o: {
  readonly redisUrl: string;
  readonly prefix: string;
  readonly fallback: TrialScan;
}): ChunkSource {
  const inline = inlineChunks(o.fallback);
  let worker: Worker | null = null;
  let broken = false;
  /** Set when the thread has loaded its modules; until then reads run inline (a cold start takes seconds on a busy machine). */
  let ready = false;
  let readyWaiters: ((threaded: boolean) => void)[] = [];
  const settleReady = (threaded: boolean) => {
    const waiting = readyWaiters;
    readyWaiters = [];
    for (const f of waiting) f(threaded);
  };
  let seq = 0;
  const pending = new Map<number, { req: ScanRequest; resolve: (c: TrialChunk) => void; reject: (e: Error) => void }>();

  const retryInline = (p: NonNullable<ReturnType<typeof pending.get>>) =>
    inline.range(p.req.sweepId, p.req.offset, p.req.count, p.req.folds).then(p.resolve, p.reject);

  const failAll = () => {
    broken = true;
    worker = null;
    settleReady(false);
    for (const [id, p] of pending) {
      pending.delete(id);
      void retryInline(p);
    }
  };

  const ensure = (): Worker | null => {
    if (worker || broken) return worker;
    const code = threadCode(import.meta.url, "scan-worker");
    if (!code) {
      broken = true;
      settleReady(false);
      return null;
    }
    const w = new Worker(code, {
      eval: true,
      workerData: { redisUrl: o.redisUrl, prefix: o.prefix },
      // it holds a few batches at a time: a small heap keeps the coordinator's RSS down after a big load
      resourceLimits: { maxOldGenerationSizeMb: 96, maxYoungGenerationSizeMb: 16 },
    });
    w.unref();
    w.on("message", (m: Reply) => {
      if (m.id === -1) return failAll();
      if (m.id === 0) {
        ready = true;
        settleReady(true);
        return;
      }
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (m.chunk) p.resolve(m.chunk);
      else
        p.reject(
          new Error(`dashboard: reading trials ${p.req.offset}+${p.req.count} of sweep "${p.req.sweepId}": ${m.error}`),
        );
    });
    w.on("error", failAll);
    w.on("exit", () => {
      if (worker === w) {
        worker = null;
        ready = false;
      }
      if (pending.size > 0) failAll();
    });
    worker = w;
    return w;
  };

  return {
    start: () => void ensure(),
    whenReady: () =>
      ready || broken ? Promise.resolve(ready && !broken) : new Promise<boolean>((r) => readyWaiters.push(r)),
    range(sweepId, offset, count, folds) {
      const w = ensure();
      if (!w || !ready) return inline.range(sweepId, offset, count, folds);
      const req: ScanRequest = { id: ++seq, sweepId, offset, count, folds };
      return new Promise((resolve, reject) => {
        pending.set(req.id, { req, resolve, reject });
        w.postMessage(req);
      });
    },
    async close() {
      const w = worker;
      worker = null;
      broken = true;
      settleReady(false);
      if (w) await w.terminate();
    },
  };
}
