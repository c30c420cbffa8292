/**
 * What tests of the store and of its users share: the Redis they use, a unique key prefix, a
 * store per test with its cleanup (a small valid sweep spec is `testSpec` of @hpo/core/testing).
 */
import { randomUUID } from "node:crypto";
import { Redis as IORedis, type Redis } from "ioredis";
import { afterAll, afterEach, beforeAll } from "vitest";
import { deleteKeysUnder } from "../delete-prefix.ts";
import type { Store } from "../store.ts";

/** REDIS_URL, default the local 127.0.0.1:6379 (shared with other tests: use `uniquePrefix()`). */
export const TEST_REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** A key prefix no other test (or engineer) uses: `<label>-<uuid>`, default label "test". */
export function uniquePrefix(label = "test"): string {
  return `${label}-${randomUUID()}`;
}

/** A store made fresh per test (under a new prefix) and cleaned up after it; see `storePerTest`. */
export interface StorePerTest {
  /** The shared connection the hooks use (open between beforeAll and afterAll). */
  redis(): Redis;
  /** The current test's prefix (after `fresh()`). */
  prefix(): string;
  /** A new prefix and a store on it from `make` (default: the one given to `storePerTest`). */
  fresh(make?: (prefix: string, redis: Redis) => Store): Store;
}

/**
 * Registers vitest hooks in the calling `describe`: a Redis connection for the block, and after
 * each test the store made by `fresh()` closed and its prefix's keys deleted.
 */
export function storePerTest(make: (prefix: string, redis: Redis) => Store): StorePerTest {
  let redis: Redis | undefined;
  let current: { prefix: string; store: Store } | undefined;
  const open = (): Redis => {
    if (!redis) throw new Error("storePerTest: Redis is only open inside the describe block's tests");
    return redis;
  };
  beforeAll(() => {
    redis = new IORedis(TEST_REDIS_URL);
  });
  afterAll(async () => {
    await redis?.quit();
  });
  afterEach(async () => {
    if (!current) return;
    const { prefix, store } = current;
    current = undefined;
    await store.close();
    await deleteKeysUnder(open(), prefix);
  });
  return {
    redis: open,
    prefix: () => current?.prefix ?? "",
    fresh(makeStore = make) {
      const prefix = uniquePrefix();
      current = { prefix, store: makeStore(prefix, open()) };
      return current.store;
    },
  };
}
