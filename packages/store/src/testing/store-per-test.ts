/**
 * What tests of the store and of its users share: the Redis they use, a unique key prefix, a
 * store per test or per describe block with its cleanup (a small valid sweep spec is `testSpec`
 * of @hpo/core/testing).
 */
import { randomUUID } from "node:crypto";
import { Redis as IORedis, type Redis } from "ioredis";
import { afterAll, afterEach, beforeAll } from "vitest";
import { deleteKeysUnder } from "../delete-prefix.ts";
import { createStore, type Store } from "../store.ts";

/** REDIS_URL, default the local 127.0.0.1:6379 (shared with other tests: use `uniquePrefix()`). */
export const TEST_REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** A key prefix no other test (or engineer) uses: `<label>-<uuid>`, default label "test". */
export function uniquePrefix(label = "test"): string {
  return `${label}-${randomUUID()}`;
}

/** Deletes every key under `prefix` on the test Redis, on a connection of its own (for cleanups). */
export async function deleteTestKeys(prefix: string): Promise<void> {
  const redis = new IORedis(TEST_REDIS_URL);
  try {
    await deleteKeysUnder(redis, prefix);
  } finally {
    await redis.quit();
  }
}

/**
 * A Redis client that never reaches a server (127.0.0.1:1, no retries, errors swallowed): every
 * command fails at once, as when Redis is down. The caller disconnects it.
 */
export function unreachableRedis(): Redis {
  const dead = new IORedis("redis://127.0.0.1:1", {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  dead.on("error", () => {});
  return dead;
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

/** One store for a whole describe block, on a prefix of its own; see `storePerSuite`. */
export interface StorePerSuite {
  /** The block's key prefix (`uniquePrefix(label)`). */
  readonly prefix: string;
  /** The block's Redis connection (open between beforeAll and afterAll). */
  readonly redis: Redis;
  /** The block's store, on `redis` under `prefix` (open between beforeAll and afterAll). */
  readonly store: Store;
}

/**
 * Registers vitest hooks in the calling `describe`: beforeAll opens a Redis connection and makes
 * the store with `make` under a new prefix (`uniquePrefix(label)`; default: a store on that
 * connection); afterAll closes the store, deletes the prefix's keys and quits Redis. Reading
 * `redis` or `store` outside the block's tests throws.
 */
export function storePerSuite(
  label = "test",
  make: (prefix: string, redis: Redis) => Store = (prefix, redis) => createStore({ redis, prefix }),
): StorePerSuite {
  const prefix = uniquePrefix(label);
  let open: { redis: Redis; store: Store } | undefined;
  const get = () => {
    if (!open) throw new Error("storePerSuite: Redis and the store are only open inside the describe block's tests");
    return open;
  };
  beforeAll(() => {
    const redis = new IORedis(TEST_REDIS_URL);
    open = { redis, store: make(prefix, redis) };
  });
  afterAll(async () => {
    if (!open) return;
    const { redis, store } = open;
    open = undefined;
    await store.close();
    await deleteKeysUnder(redis, prefix);
    await redis.quit();
  });
  return {
    prefix,
    get redis() {
      return get().redis;
    },
    get store() {
      return get().store;
    },
  };
}
