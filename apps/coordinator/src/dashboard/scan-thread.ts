/**
 * Scan-thread entry (see chunk-source.ts): reads trials with the packed scan on its own Redis
 * connection, turns them into columns and transfers them to the main thread.
 */
import { workerData } from "node:worker_threads";
import { createPackedTrialScan, createRedis } from "@hpo/store";
import { serveRequests } from "../request-thread.ts";
import { chunkBuffers, type TrialChunk, toChunk } from "./trial-chunk.ts";

export interface ScanRequest {
  readonly sweepId: string;
  readonly offset: number;
  readonly count: number;
  readonly folds: number;
}

const { redisUrl, prefix } = workerData as { readonly redisUrl: string; readonly prefix: string };
const redis = createRedis(redisUrl);
redis.on("error", () => {}); // a failed read answers its request with the error
const scan = createPackedTrialScan(redis, prefix);

serveRequests<ScanRequest, TrialChunk>(
  async (m) => toChunk(await scan.range(m.sweepId, m.offset, m.count), m.folds),
  chunkBuffers,
);
