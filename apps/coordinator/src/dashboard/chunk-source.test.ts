/**
 * The scan thread answers through the request-thread protocol: it gets ready and its chunks
 * equal the inline ones. Real Redis, real worker thread.
 */
import { randomUUID } from "node:crypto";
import { testSpec } from "@hpo/core/testing";
import { createPackedTrialScan, createStore, deleteKeysUnder } from "@hpo/store";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { createScanThread, inlineChunks } from "./chunk-source.ts";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

describe("createScanThread", () => {
  const prefix = `test-${randomUUID()}`;
  const redis = new Redis(REDIS_URL);
  afterAll(async () => {
    await deleteKeysUnder(redis, prefix);
    await redis.quit();
  });

  it("reads in its thread once ready, the same chunks as on the main thread", async () => {
    const store = createStore({ redis, prefix });
    const sweep = await store.createSweep(
      testSpec({ name: "scan-thread", parameters: { x: { distribution: { kind: "uniform", min: 0, max: 1 } } } }),
    );
    await store.proposeTrials(
      sweep.id,
      Array.from({ length: 5 }, (_, index) => ({ index, params: { x: index / 10 } })),
    );
    const scan = createPackedTrialScan(redis, prefix);
    const thread = createScanThread({ redisUrl: REDIS_URL, prefix, fallback: scan });
    try {
      thread.start?.();
      expect(await thread.whenReady?.()).toBe(true);
      const threaded = await thread.range(sweep.id, 1, 3, 2);
      expect(threaded.n).toBe(3);
      expect(threaded).toEqual(await inlineChunks(scan).range(sweep.id, 1, 3, 2));
    } finally {
      await thread.close();
    }
  });
});
