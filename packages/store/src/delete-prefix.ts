import type { Redis } from "ioredis";

/**
 * Deletes every key under `${prefix}:` with SCAN + UNLINK in batches of 1,000, so it is safe on a
 * shared Redis (no KEYS, no FLUSHDB). Returns how many keys it deleted. Used to clean up after
 * tests and benchmarks, which each run under a prefix of their own.
 */
export async function deleteKeysUnder(redis: Redis, prefix: string): Promise<number> {
  let cursor = "0";
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
    cursor = next;
    if (keys.length) deleted += await redis.unlink(...keys);
  } while (cursor !== "0");
  return deleted;
}
