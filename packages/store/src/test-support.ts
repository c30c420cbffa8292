/**
 * Fixtures shared by the store's own tests (not exported from the package): the Redis they use,
 * a unique key prefix, its cleanup, and a small valid sweep spec.
 */
import { randomUUID } from "node:crypto";
import type { SweepSpec } from "@hpo/core";
import type { Redis } from "ioredis";

/** REDIS_URL, default the local 127.0.0.1:6379 (shared with other tests: use `testPrefix()`). */
export const TEST_REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** A key prefix no other test uses: `test-<uuid>`. */
export const testPrefix = (): string => `test-${randomUUID()}`;

/** Deletes every key under `${prefix}:` (SCAN, safe on a shared Redis). */
export async function deleteTestKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== "0");
}

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
