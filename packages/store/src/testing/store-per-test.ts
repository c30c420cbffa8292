/**
 * Fixtures shared by the store's own tests (not exported from the package): the Redis they use,
 * a unique key prefix, its cleanup, and a small valid sweep spec.
 */
import { randomUUID } from "node:crypto";
import type { SweepSpec } from "@hpo/core";
import { Redis as IORedis, type Redis } from "ioredis";
import { afterAll, afterEach, beforeAll } from "vitest";
import { deleteKeysUnder } from "./delete-prefix.ts";
import type { Store } from "./store.ts";

/** REDIS_URL, default the local 127.0.0.1:6379 (shared with other tests: use `testPrefix()`). */
export const TEST_REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** A key prefix no other test uses: `test-<uuid>`. */
export const testPrefix = (): string => `test-${randomUUID()}`;

/**
 * A valid random-search spec on iris (val_accuracy, maximize; lr log-uniform; 3 stratified folds;
 * 10 trials, 2 parallel, 3 epochs; no pruning; seed 7) with `overrides` on top.
 */
export function testSpec(overrides: Partial<SweepSpec> = {}): SweepSpec {
  return {
    name: "store-test",
    method: "random",
    metric: { name: "val_accuracy", goal: "maximize" },
    parameters: { lr: { distribution: { kind: "log_uniform_values", min: 1e-4, max: 1e-1 } } },
    dataset: { name: "iris", task: "classification" },
    model: { hidden: [8], activation: "relu" },
    cv: { folds: 3, stratified: true, seed: 1 },
    budget: { max_trials: 10, max_parallel: 2, max_epochs: 3 },
    early_terminate: { type: "none" },
    seed: 7,
    ...overrides,
  };
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
      const prefix = testPrefix();
      current = { prefix, store: makeStore(prefix, open()) };
      return current.store;
    },
  };
}
