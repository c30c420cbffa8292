import { mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
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
/** The trainer's test modules (a build(ctx) dense classifier). */
const TEST_MODELS = realpathSync(join(REPO_ROOT, "packages/trainer/src/testing/models"));

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

const MODULE_SPEC = `
name: iris-module-export
method: grid
seed: 12
dataset: iris
metric: { name: val_accuracy, goal: maximize }
model: { module: "${TEST_MODELS}/dense-build.ts" }
parameters:
  learning_rate: { value: 0.02 }
  optimizer: { value: adam }
  batch_size: { value: 16 }
  early_stopping_patience: { value: 3 }
  units: { values: [8, 16] }
cv: { folds: 3, stratified: true, seed: 2, test_fraction: 0.2 }
budget: { max_trials: 2, max_parallel: 2, max_epochs: 12, max_trial_seconds: 300 }
`;

const PROGRAMS = join(EXAMPLES, "programs");
/** Where the worker's folds and the coordinator's refit runs put their HPO_OUTPUT_DIRs. */
const RUNS = mkdtempSync(join(tmpdir(), "hpo-export-runs-"));

const PROGRAM_SPEC = `
name: wine-program-export
program: ${PROGRAMS}/wine_softmax.py
method: grid
metric: { name: val_accuracy, goal: maximize }
parameters:
  learning_rate: { values: [0.05, 0.3] }
  batch_size: { value: 16 }
  epochs: { value: 4 }
cv: { folds: 3, stratified: true, seed: 1 }
budget: { max_trials: 2, max_parallel: 2 }
seed: 4
`;

describe("export of every kind of model, scored by hpo predict in a fresh process", () => {
  let stack: ExportStack;

  beforeAll(async () => {
    stack = await startExportStack(uniquePrefix("e2e-export-kinds"), {
      HPO_BACKEND: "wasm",
      HPO_MODEL_DIRS: `${EXAMPLES}:${TEST_MODELS}`,
      HPO_PROGRAM_DIRS: PROGRAMS,
      HPO_RUNS_DIR: RUNS,
    });
    await selectBackend("wasm");
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
    rmSync(RUNS, { recursive: true, force: true });
  });

  /**
   * Runs `spec` to completion, exports its winner with `hpo export`, scores the test split's rows
   * of `dataFile` with `hpo predict --json` (a fresh process) and checks that the accuracy is the
   * sweep's test score; then refits the winner here and checks that its weights are the export's.
   */
  const exportWinner = async (spec: string, dataFile: string, modelDirs: readonly string[] = []) => {
    const sweep = await stack.finished(spec);
    expect(sweep.status).toBe("completed");
    expect(sweep.test?.state, sweep.test?.error).toBe("done");
    const csv = join(stack.dir, `${sweep.id}-test.csv`);
    const rows = testSplitCsv(sweep, join(REPO_ROOT, "packages/trainer/datasets", dataFile), csv);
    const out = join(stack.dir, sweep.id);
    const exported = await stack.cli(["export", sweep.id, "--out", out]);
    expect(exported.code, exported.stderr).toBe(0);
    const predicted = await stack.cli(["predict", out, csv, "--json"]);
    expect(predicted.code, predicted.stderr).toBe(0);
    const { predictions, labels } = JSON.parse(predicted.stdout) as { predictions: string[]; labels: string[] };
    expect(predictions).toHaveLength(rows);
    expect(predictions.filter((p, i) => p === labels[i]).length / rows).toBe(sweep.test?.score);
    // a refit of its own here, with the sweep's refit seed: the same weights, bit for bit
    const best = (await apiClient(stack.coordinator.url).trials(sweep.id)).items.find(
      (t) => t.id === sweep.best?.trialId,
    );
    const local = await refitTrial(
      { ...trialJobOf(sweep.id, sweep.spec, best as TrialRecord, "tfjs"), seed: refitSeedOf(sweep) },
      { modelDirs },
    );
    expect(Buffer.from(local.weights).equals(readFileSync(join(out, "weights.bin")))).toBe(true);
    const read = (file: string) => JSON.parse(readFileSync(join(out, file), "utf8"));
    return {
      sweep,
      model: read("model.json"),
      preprocessing: read("preprocessing.json"),
      card: read("model-card.json"),
    };
  };

  it("a layer list (conv2d on digits images): the loaded model's test accuracy is the reported test score", async () => {
    const { sweep, model } = await exportWinner(LAYERS_SPEC, "digits.csv");
    const classes = model.modelTopology.config.layers.map((l: { class_name: string }) => l.class_name);
    expect(classes).toEqual(expect.arrayContaining(["Conv2D", "BatchNormalization", "MaxPooling2D", "Dropout"]));
    // hpo predict tells an IDX file from a CSV one by its bytes: digits' model takes named pixel columns, not IDX images
    const idx = join(stack.dir, "one-image.idx");
    writeFileSync(idx, Buffer.from([0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 8, 0, 0, 0, 8, ...new Array(64).fill(0)]));
    const refused = await stack.cli(["predict", join(stack.dir, sweep.id), idx]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/IDX file .*one-image.idx: the model's inputs are not the pixels of IDX images/);
    const csvLabels = await stack.cli([
      "predict",
      join(stack.dir, sweep.id),
      join(stack.dir, `${sweep.id}-test.csv`),
      "--labels",
      idx,
    ]);
    expect(csvLabels.code).toBe(2);
    expect(csvLabels.stderr).toMatch(/--labels goes with an IDX images file/);
  });

  it("a model module (build form): its own layers refit and exported; test accuracy and weights as reported", async () => {
    const { sweep, model, preprocessing, card } = await exportWinner(MODULE_SPEC, "iris.csv", [TEST_MODELS]);
    const names = model.modelTopology.config.layers.map((l: { config: { name: string } }) => l.config.name);
    expect(names).toEqual(["hidden", "out"]);
    expect(preprocessing.outputs).toBe("probabilities");
    expect(card).toMatchObject({
      model: { module: `${TEST_MODELS}/dense-build.ts` },
      test: { score: sweep.test?.score },
    });
  });

  it("a program: its refit run (HPO_REFIT=1, every row) on the coordinator; the export is what it wrote, with a card", async () => {
    const sweep = await stack.finished(PROGRAM_SPEC, false);
    expect(sweep.status).toBe("completed");
    const best = sweep.best?.trialId as string;
    const out = join(stack.dir, "program");
    const exported = await stack.cli(["export", sweep.id, "--out", out]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stderr).toMatch(/the program's refit run wrote 1 files \(\d+ bytes\), plus model-card.json/);
    // the refit run's HPO_OUTPUT_DIR on the coordinator's side, and the folds' on the worker's
    const refitDir = join(RUNS, sweep.id, best, "refit");
    expect(readdirSync(out).sort()).toEqual(["model-card.json", "model.json"]);
    expect(readFileSync(join(out, "model.json")).equals(readFileSync(join(refitDir, "model.json")))).toBe(true);
    // trained on every row: other weights than any fold's
    for (const fold of [0, 1, 2])
      expect(readFileSync(join(RUNS, sweep.id, best, `fold-${fold}`, "model.json"), "utf8")).not.toBe(
        readFileSync(join(out, "model.json"), "utf8"),
      );
    const card = JSON.parse(readFileSync(join(out, "model-card.json"), "utf8"));
    const trial = (await apiClient(stack.coordinator.url).trials(sweep.id)).items.find((t) => t.id === best);
    expect(card).toMatchObject({
      trialId: best,
      backend: "program",
      params: trial?.params,
      selection: { mean: sweep.best?.mean, folds: 3 },
      refit: { epochs: trial?.folds[0]?.epochs }, // the last step reported, as the folds
      program: { path: `${PROGRAMS}/wine_softmax.py`, files: 1 },
    });
    expect(card.program.argv).toContain(`--learning_rate=${trial?.params.learning_rate}`);
    expect(card.program.metrics.val_accuracy).toBeGreaterThan(0.5);
  });
});
