import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";

/** A key prefix no other test (or engineer) uses: `test-<uuid>`. */
export function uniquePrefix(label = "test"): string {
  return `${label}-${randomUUID()}`;
}

/** Deletes every key under `${prefix}:` (SCAN, so it is safe on a shared Redis). */
export async function deletePrefix(redis: Redis, prefix: string): Promise<number> {
  let cursor = "0";
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
    cursor = next;
    if (keys.length) deleted += await redis.del(...keys);
  } while (cursor !== "0");
  return deleted;
}
