import type { TrialJob } from "@hpo/core";
import { testJob } from "./test-job.ts";

/** Sizes of an adding-problem trial. */
export interface AddingSizes {
  readonly rows: number;
  readonly timesteps: number;
  readonly epochs: number;
}

/**
 * A trial on the adding problem (docs/trainer.md, "Trial flags"): one recurrent layer of 16 units
 * of type `cell`, 2 unstratified folds, adam 0.01, batch 32, val R² as the metric.
 */
export const addingJob = (cell: string, { rows, timesteps, epochs }: AddingSizes): TrialJob =>
  testJob({
    dataset: { name: "adding", rows, timesteps, task: "regression" },
    model: { hidden: [], activation: "relu", layers: [{ type: cell, units: 16 }] },
    params: { learning_rate: 0.01, batch_size: 32 },
    metric: { name: "val_r2", goal: "maximize" },
    cv: { folds: 2, stratified: false, seed: 1 },
    maxEpochs: epochs,
  });
