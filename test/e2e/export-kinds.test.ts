import { readFileSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { refitSeedOf, trialJobOf } from "@hpo/coordinator";
import { builtinDataset, type SweepRecord, type TrialRecord } from "@hpo/core";
import { uniquePrefix } from "@hpo/store/testing";
import { loadDataset, selectBackend, testSplit } from "@hpo/trainer";
import { refitTrial } from "@hpo/trainer/export";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient } from "../helpers/api.ts";
import { type ExportStack, startExportStack } from "../helpers/export-stack.ts";
import { REPO_ROOT } from "../helpers/processes.ts";

/**
 * Exports of every kind of model (a layer list, a model module, a program), each through the CLI
 * against a coordinator and a worker process, then scored by `hpo predict` in a fresh process.
 */

const EXAMPLES = realpathSync(join(REPO_ROOT, "examples"));

/** A CSV file of the sweep's test split: the header and those rows of `file`, as they are. */
function testSplitCsv(sweep: SweepRecord, file: string, out: string): number {
  const data = loadDataset(builtinDataset({ trialId: "t0000", dataset: sweep.spec.dataset }));
  const rows = testSplit(data, sweep.spec.cv)?.heldOut ?? [];
  const lines = readFileSync(file, "utf8").trim().split(/\r?\n/);
  writeFileSync(out, `${[lines[0], ...rows.map((r) => lines[r + 1])].join("\n")}\n`);
  return rows.length;
}

const LAYERS_SPEC = `
name: digits-cnn-export
method: grid
seed: 9
dataset: digits
metric: { name: val_accuracy, goal: maximize }
parameters:
  learning_rate: { value: 0.003 }
  batch_size: { value: 32 }
  filters: { values: [4, 6] }
model:
  layers:
    - { type: conv2d, filters: { param: filters }, kernel_size: 3, padding: same }
    - { type: batch_norm }
    - { type: max_pool2d, pool_size: 2 }
    - { type: flatten }
    - { type: dropout, rate: 0.1 }
    - { type: dense, units: 16 }
cv: { folds: 3, stratified: true, seed: 4, test_fraction: 0.2 }
budget: { max_trials: 2, max_parallel: 2, max_epochs: 3 }
`;

describe("export of every kind of model, scored by hpo predict in a fresh process", () => {
  let stack: ExportStack;

  beforeAll(async () => {
    stack = await startExportStack(uniquePrefix("e2e-export-kinds"), { HPO_BACKEND: "wasm", HPO_MODEL_DIRS: EXAMPLES });
    await selectBackend("wasm");
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
  });

  /** `hpo export` then `hpo predict --json` of the test split; returns the export folder and the predictions. */
  const exportAndPredict = async (sweep: SweepRecord, csv: string, name: string) => {
    const out = join(stack.dir, name);
    const exported = await stack.cli(["export", sweep.id, "--out", out]);
    expect(exported.code, exported.stderr).toBe(0);
    const predicted = await stack.cli(["predict", out, csv, "--json"]);
    expect(predicted.code, predicted.stderr).toBe(0);
    const result = JSON.parse(predicted.stdout) as { predictions: string[]; labels: string[] };
    return { out, ...result };
  };

  it("a layer list (conv2d on digits images): the loaded model's test accuracy is the reported test score", async () => {
    const sweep = await stack.finished(LAYERS_SPEC);
    expect(sweep.status).toBe("completed");
    expect(sweep.test?.state, sweep.test?.error).toBe("done");
    const csv = join(stack.dir, "digits-test.csv");
    const rows = testSplitCsv(sweep, join(REPO_ROOT, "packages/trainer/datasets/digits.csv"), csv);
    const a = await exportAndPredict(sweep, csv, "cnn-a");
    expect(a.predictions).toHaveLength(rows);
    const correct = a.predictions.filter((p, i) => p === a.labels[i]).length;
    expect(correct / rows).toBe(sweep.test?.score);
    const model = JSON.parse(readFileSync(join(a.out, "model.json"), "utf8"));
    const classes = model.modelTopology.config.layers.map((l: { class_name: string }) => l.class_name);
    expect(classes).toEqual(expect.arrayContaining(["Conv2D", "BatchNormalization", "MaxPooling2D", "Dropout"]));
    // a refit of its own here, with the sweep's refit seed: the same weights, bit for bit
    const best = (await apiClient(stack.coordinator.url).trials(sweep.id)).items.find(
      (t) => t.id === sweep.best?.trialId,
    );
    const local = await refitTrial({
      ...trialJobOf(sweep.id, sweep.spec, best as TrialRecord, "tfjs"),
      seed: refitSeedOf(sweep),
    });
    expect(Buffer.from(local.weights).equals(readFileSync(join(a.out, "weights.bin")))).toBe(true);
  });
});
