import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { EpochReport } from "@hpo/core";
import { uniquePrefix } from "@hpo/store/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { apiClient } from "../helpers/api.ts";
import { describeNeeding } from "../helpers/needs.ts";
import { REPO_ROOT, startWorkerProcess } from "../helpers/processes.ts";
import { type E2eStack, startE2eStack } from "../helpers/stack.ts";
import { pythonMissing } from "./run-python.ts";

const EXAMPLES = join(REPO_ROOT, "examples/programs");
const WANDB_PROGRAMS = join(REPO_ROOT, "test/program-kit/wandb-programs");

/** W&B's quickstart-style program, unchanged, with the wandb stand-in; its summary is the metric. */
const WANDB_SWEEP = `
name: wandb-quickstart
program: quickstart.py
report: wandb
method: grid
metric: { name: best_acc, goal: maximize }
parameters:
  learning_rate: { values: [0.25, 0.125] }
  epochs: { value: 5 }
cv: { folds: 2, stratified: false }
`;

/** An example sweep file as shipped, made small: `trials` trials of `epochs` epochs, none pruned. */
function smallSweep(file: string, trials: number, epochs: number): string {
  const sweep = parse(readFileSync(join(EXAMPLES, file), "utf8")) as Record<string, Record<string, unknown>>;
  sweep.parameters = { ...sweep.parameters, epochs: { value: epochs } };
  sweep.budget = { ...sweep.budget, max_trials: trials };
  delete sweep.early_terminate;
  return stringify(sweep);
}

describeNeeding("python3", await pythonMissing())("examples/programs through the real stack", () => {
  const prefix = uniquePrefix("e2e-example-programs");
  let stack: E2eStack;

  beforeAll(async () => {
    stack = await startE2eStack({ prefix });
    // workers allowed to run the examples' folder, 2 fold processes at once each
    const env = { HPO_PROGRAM_DIRS: `${EXAMPLES}:${WANDB_PROGRAMS}`, HPO_SLOTS: "2" };
    for (const name of ["programs-w1", "programs-w2"])
      stack.workers.push(await startWorkerProcess({ prefix, name, env }));
  });

  afterAll(async () => {
    await stack?.close();
  });

  it.each([
    ["wine-softmax.yaml", 5],
    ["digits-mlp.yaml", 3],
  ])("%s runs every fold of every trial as a process and keeps all its metrics", async (file, folds) => {
    const api = apiClient(stack.coordinator.url);
    const submitted = await api.submit(smallSweep(file, 3, 4));
    const done = await api.ended(submitted.id, 170_000);
    expect(done.status).toBe("completed");
    const page = await api.trials(submitted.id);
    expect(page.items.map((t) => t.state)).toEqual(["completed", "completed", "completed"]);
    for (const t of page.items) {
      expect(t.folds.map((f) => f.fold).sort()).toEqual([...Array(folds).keys()]);
      for (const f of t.folds) {
        expect(f.score).toBe(f.metrics.val_accuracy); // the last val_accuracy the fold reported
        expect(Object.keys(f.metrics).sort()).toEqual(["train_loss", "val_accuracy", "val_loss"]);
      }
      const res = await fetch(`${stack.coordinator.url}/api/sweeps/${submitted.id}/trials/${t.id}`);
      const { curve } = (await res.json()) as { curve: EpochReport[] };
      expect(curve.map((c) => c.epoch)).toEqual([0, 1, 2, 3]);
      expect(curve[3]?.folds).toHaveLength(folds);
    }
    // the programs learn: the best trial's K-fold mean beats guessing the largest class by far
    expect(Math.max(...page.items.map((t) => t.mean as number))).toBeGreaterThan(0.8);
  });

  it("runs a program written for W&B unchanged with report: wandb, scored by its summary", async () => {
    const api = apiClient(stack.coordinator.url);
    const submitted = await api.submit(WANDB_SWEEP);
    const done = await api.ended(submitted.id, 170_000);
    expect(done.status).toBe("completed");
    const page = await api.trials(submitted.id);
    // best_acc = 1 - 2^-4 - learning_rate: epochs 2..4 of the quickstart, the best at epoch 4
    const byLr = Object.fromEntries(page.items.map((t) => [t.params.learning_rate as number, t]));
    for (const [lr, best] of [
      [0.25, 0.6875],
      [0.125, 0.8125],
    ] as const) {
      const t = byLr[lr];
      expect(t?.state).toBe("completed");
      expect(t?.folds.map((f) => [f.score, Object.keys(f.metrics).sort()])).toEqual([
        [best, ["acc", "best_acc", "loss"]],
        [best, ["acc", "best_acc", "loss"]],
      ]);
    }
  });
});
