import type { SweepSpec } from "../types.ts";

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
