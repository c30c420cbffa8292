import type { TrialJob } from "@hpo/core";

/**
 * A trial job for trainer tests and benches: trial t0001 of sweep s1 on iris (classification,
 * val_accuracy, maximize); adam, learning rate 0.01, batch 16; one hidden layer of 16 relu units;
 * 3 stratified folds (seed 1); 8 epochs; seed 42. `over` replaces whole fields on top (a `params`
 * given replaces all the default params).
 */
export function testJob(over: Partial<TrialJob> = {}): TrialJob {
  return {
    sweepId: "s1",
    trialId: "t0001",
    params: { learning_rate: 0.01, batch_size: 16, optimizer: "adam" },
    dataset: { name: "iris", task: "classification" },
    model: { hidden: [16], activation: "relu" },
    cv: { folds: 3, stratified: true, seed: 1 },
    metric: { name: "val_accuracy", goal: "maximize" },
    maxEpochs: 8,
    seed: 42,
    ...over,
  };
}
