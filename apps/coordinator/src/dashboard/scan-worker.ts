/**
 * Scan-thread entry (see scan-thread.ts): reads trials with the packed scan on its own Redis
 * connection, turns them into columns and transfers them to the main thread.
 */
import { parentPort, workerData } from "node:worker_threads";
import { createPackedTrialScan } from "@hpo/store";
import { Redis } from "ioredis";
import { chunkBuffers, toChunk } from "./trial-chunk.ts";

export interface ScanRequest {
  readonly id: number;
  readonly sweepId: string;
  readonly offset: number;
  readonly count: number;
  readonly folds: number;
}

const { redisUrl, prefix } = workerData as { readonly redisUrl: string; readonly prefix: string };
const redis = new Redis(redisUrl);
redis.on("error", () => {}); // a failed read answers its request with the error
const scan = createPackedTrialScan(redis, prefix);

parentPort?.on("message", (m: ScanRequest) => {
  scan.range(m.sweepId, m.offset, m.count).then(
    (rows) => {
      const chunk = toChunk(rows, m.folds);
      parentPort?.postMessage({ id: m.id, chunk }, chunkBuffers(chunk));
    },
    (e: unknown) => parentPort?.postMessage({ id: m.id, error: e instanceof Error ? e.message : String(e) }),
  );
});
parentPort?.postMessage({ id: 0 }); // ready: the main thread sends its reads here from now on
