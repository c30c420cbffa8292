import type { TrialLogLine } from "@hpo/core";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deleteKeysUnder } from "./delete-prefix.ts";
import { keysFor } from "./keys.ts";
import { TEST_REDIS_URL, uniquePrefix } from "./testing/index.ts";
import { appendTrialLog, readTrialLog, TRIAL_LOG_MAX_LINES, TRIAL_LOG_MAX_MESSAGE } from "./trial-log.ts";

const line = (i: number, extra: Partial<TrialLogLine> = {}): TrialLogLine => ({
  time: 1_700_000_000_000 + i,
  level: "info",
  worker: "w1",
  message: `line ${i}`,
  ...extra,
});

describe("trial log (real Redis)", () => {
  const prefix = uniquePrefix();
  const keys = keysFor(prefix);
  let redis: Redis;

  beforeAll(() => {
    redis = new Redis(TEST_REDIS_URL);
  });
  afterAll(async () => {
    await deleteKeysUnder(redis, prefix);
    await redis.quit();
  });

  it("returns appended lines oldest first with their fields, per trial", async () => {
    await appendTrialLog(redis, keys, "s1", "t0001", [line(1, { fields: { attempt: 1 } }), line(2)]);
    await appendTrialLog(redis, keys, "s1", "t0001", [line(3, { level: "error", worker: "w2" })]);
    await appendTrialLog(redis, keys, "s1", "t0002", [line(9)]);
    const log = await readTrialLog(redis, keys, "s1", "t0001");
    expect(log.map((l) => l.message)).toEqual(["line 1", "line 2", "line 3"]);
    expect(log[0]?.fields).toEqual({ attempt: 1 });
    expect(log[2]).toMatchObject({ level: "error", worker: "w2" });
    expect(await readTrialLog(redis, keys, "s1", "t0002")).toHaveLength(1);
    expect(await readTrialLog(redis, keys, "s1", "t9999")).toEqual([]);
  });

  it("keeps only the newest TRIAL_LOG_MAX_LINES lines and cuts long messages", async () => {
    const many = Array.from({ length: TRIAL_LOG_MAX_LINES + 25 }, (_, i) => line(i));
    await appendTrialLog(redis, keys, "s2", "t0001", many.slice(0, 100));
    await appendTrialLog(redis, keys, "s2", "t0001", many.slice(100));
    await appendTrialLog(redis, keys, "s2", "t0001", [line(0, { message: "x".repeat(TRIAL_LOG_MAX_MESSAGE + 10) })]);
    const log = await readTrialLog(redis, keys, "s2", "t0001");
    expect(log).toHaveLength(TRIAL_LOG_MAX_LINES);
    expect(log[0]?.message).toBe("line 26");
    expect(log.at(-1)?.message).toHaveLength(TRIAL_LOG_MAX_MESSAGE);
    expect(log.at(-1)?.message.endsWith("…")).toBe(true);
  });

  it("skips lines that are not valid log JSON instead of failing the read", async () => {
    await redis.rpush(keys.trialLog("s3", "t0001"), "not json", JSON.stringify({ time: 1, level: "debug" }));
    await appendTrialLog(redis, keys, "s3", "t0001", [line(1)]);
    expect((await readTrialLog(redis, keys, "s3", "t0001")).map((l) => l.message)).toEqual(["line 1"]);
  });
});
