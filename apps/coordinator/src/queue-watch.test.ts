import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { createLogger } from "./logger.ts";
import { watchQueue } from "./queue-watch.ts";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

describe("watchQueue", () => {
  const redis = new Redis(REDIS_URL);
  const key = `test-queue-watch-${randomUUID()}:trials:events`;
  afterAll(async () => {
    await redis.del(key);
    await redis.quit();
  });

  it("hands over failed and stalled events added after it started, in batches, and nothing else", async () => {
    await redis.xadd(key, "*", "event", "failed", "jobId", "old", "failedReason", "before the watch");
    const got: string[] = [];
    const watch = await watchQueue({
      redis,
      eventsKey: key,
      logger: createLogger("test", "silent"),
      intervalMs: 20,
      handlers: {
        onFailed: (jobId, reason) => got.push(`failed ${jobId} ${reason}`),
        onStalled: (jobId) => got.push(`stalled ${jobId}`),
      },
    });
    await redis.xadd(key, "*", "event", "active", "jobId", "a", "prev", "waiting");
    await redis.xadd(key, "*", "event", "failed", "jobId", "a", "failedReason", "boom", "prev", "active");
    await redis.xadd(key, "*", "event", "completed", "jobId", "b", "returnvalue", "{}");
    await redis.xadd(key, "*", "event", "stalled", "jobId", "c");
    for (let i = 0; i < 100 && got.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 60));
    expect(got).toEqual(["failed a boom", "stalled c"]);
    await watch.close();
    await redis.xadd(key, "*", "event", "stalled", "jobId", "d");
    await new Promise((r) => setTimeout(r, 80));
    expect(got).toHaveLength(2); // closed: no more reads
  });
});
