import { readFileSync, writeFileSync } from "node:fs";
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

// 2 configs on iris with a test split and early stopping on an inner split: small and quick
const SPEC = `
name: iris-export
method: grid
seed: 5
dataset: iris
metric: { name: val_accuracy, goal: maximize }
parameters:
  learning_rate: { values: [0.01, 0.05] }
  batch_size: { value: 16 }
  optimizer: { value: adam }
  early_stopping_patience: { value: 3 }
model: { hidden: [16], activation: relu }
cv: { folds: 3, stratified: true, seed: 2, test_fraction: 0.2 }
budget: { max_trials: 2, max_parallel: 2, max_epochs: 12 }
`;

describe("export and predict: a sweep's winner refit, exported, and scored in a fresh process", () => {
  let stack: ExportStack;
  let sweep: SweepRecord;
  let dir: string;
  let coordinator: ExportStack["coordinator"];

  beforeAll(async () => {
    stack = await startExportStack(uniquePrefix("e2e-export"), { HPO_BACKEND: "wasm" });
    ({ dir, coordinator } = stack);
    sweep = await stack.finished(SPEC);
    await selectBackend("wasm");
  }, 300_000);

  afterAll(async () => {
    await stack?.close();
  });

  const cli = (args: string[]) => stack.cli(args);

  it("records the winner's test score next to its selection score (API and hpo status)", async () => {
    expect(sweep.status).toBe("completed");
    expect(sweep.test).toMatchObject({ state: "done", trialId: sweep.best?.trialId, metric: "val_accuracy", rows: 30 });
    expect(sweep.test?.score).toBeGreaterThan(0.6);
    expect(sweep.test?.metrics?.val_accuracy).toBe(sweep.test?.score);
    const status = await cli(["status", sweep.id]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain(
      `test: ${sweep.best?.trialId} val_accuracy ${sweep.test?.score?.toFixed(4)} on 30 held-out rows`,
    );
  });

  it("exports the winner; hpo predict in a fresh process scores the test split exactly as the sweep reported", async () => {
    const out = join(dir, "winner");
    const exported = await cli(["export", sweep.id, "--out", out]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout.trim()).toBe(out);
    const card = JSON.parse(readFileSync(join(out, "model-card.json"), "utf8"));
    expect(card).toMatchObject({
      trialId: sweep.best?.trialId,
      backend: "wasm",
      test: { score: sweep.test?.score, rows: 30 },
      selection: { mean: sweep.best?.mean, folds: 3 },
      dataset: { rows: 150, testRows: 30, trainRows: 120 },
      refit: { seed: refitSeedOf(sweep) },
    });
    expect(card.dataset.sha256).toMatch(/^[0-9a-f]{64}$/);
    // the selection score with its corrected CI; the winner is tied with itself
    const [low, high] = card.selection.ci95 as [number, number];
    expect(low).toBeLessThanOrEqual(card.selection.mean);
    expect(high).toBeGreaterThanOrEqual(card.selection.mean);
    expect(card.selection.tiedWithBest).toBe(true);
    const model = JSON.parse(readFileSync(join(out, "model.json"), "utf8"));
    expect(model.format).toBe("layers-model");
    expect(model.weightsManifest[0].paths).toEqual(["weights.bin"]);

    // the test split's rows as they are in iris.csv, label column included
    const data = loadDataset(builtinDataset({ trialId: "t0000", dataset: sweep.spec.dataset }));
    const testRows = testSplit(data, sweep.spec.cv)?.heldOut ?? [];
    const lines = readFileSync(join(REPO_ROOT, "packages/trainer/datasets/iris.csv"), "utf8").trim().split(/\r?\n/);
    const csv = join(dir, "test-split.csv");
    writeFileSync(csv, `${[lines[0], ...testRows.map((r) => lines[r + 1])].join("\n")}\n`);
    const predicted = await cli(["predict", out, csv, "--json"]);
    expect(predicted.code, predicted.stderr).toBe(0);
    const result = JSON.parse(predicted.stdout) as {
      predictions: string[];
      labels: string[];
      metrics: Record<string, number>;
    };
    expect(result.predictions).toHaveLength(30);
    const correct = result.predictions.filter((p, i) => p === result.labels[i]).length;
    expect(correct / 30).toBe(sweep.test?.score);
    expect(result.metrics.val_accuracy).toBe(sweep.test?.score);

    // without the label column: predictions only, the same ones, in a table
    const unlabelled = join(dir, "unlabelled.csv");
    writeFileSync(unlabelled, readFileSync(csv, "utf8").replace(/,[^,\n]*$/gm, ""));
    const plain = await cli(["predict", out, unlabelled]);
    expect(plain.code, plain.stderr).toBe(0);
    const rows = plain.stdout
      .trim()
      .split("\n")
      .slice(1)
      .map((l) => l.split("\t")[1]);
    expect(rows).toEqual(result.predictions);
    expect(plain.stderr).toMatch(/30 rows \(no "label" column: no metrics\)/);
  });

  it("refits with the sweep's seed: another trial's export has the same weights as a refit of it here", async () => {
    const trials = (await apiClient(coordinator.url).trials(sweep.id)).items as TrialRecord[];
    const other = trials.find((t) => t.id !== sweep.best?.trialId) as TrialRecord;
    const out = join(dir, other.id);
    const exported = await cli(["export", sweep.id, "--trial", other.id, "--out", out]);
    expect(exported.code, exported.stderr).toBe(0);
    const local = await refitTrial({ ...trialJobOf(sweep.id, sweep.spec, other, "tfjs"), seed: refitSeedOf(sweep) });
    const written = readFileSync(join(out, "weights.bin"));
    expect(written.length).toBeGreaterThan(0);
    expect(Buffer.from(local.weights).equals(written)).toBe(true);
    expect(JSON.parse(readFileSync(join(out, "model-card.json"), "utf8")).test.score).toBe(local.test?.score);
  });

  it("names what is wrong: an unknown trial, a file without the model's columns", async () => {
    const unknown = await cli(["export", sweep.id, "--trial", "t0099", "--out", join(dir, "x")]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/trial "t0099" not found/);
    const bad = join(dir, "bad.csv");
    writeFileSync(bad, "a,b\n1,2\n");
    const predicted = await cli(["predict", join(dir, "winner"), bad]);
    expect(predicted.code).toBe(2);
    expect(predicted.stderr).toMatch(/file ".*bad.csv", line 1: no column "sepal_length_cm"/);
  });
});
