/**
 * examples/digits-select.yaml as written, in one run: repeated K-fold (2 × 3 folds), the final
 * selection of the top 3 (2 more repeats each), the held-out test split scored once with the
 * winner's refit, then `hpo export` and `hpo predict` of the test rows giving that score exactly.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { SweepRecord, TrialRecord } from "@hpo/core";
import { uniquePrefix } from "@hpo/store/testing";
import { loadDataset, testSplit } from "@hpo/trainer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient } from "../helpers/api.ts";
import { type ExportStack, startExportStack } from "../helpers/export-stack.ts";
import { REPO_ROOT } from "../helpers/processes.ts";

describe("examples/digits-select.yaml: repeats, final selection, test split and export in one run", () => {
  let stack: ExportStack;
  let sweep: SweepRecord;

  beforeAll(async () => {
    stack = await startExportStack(uniquePrefix("e2e-digits-select"), { HPO_BACKEND: "wasm" });
    sweep = await stack.finished(readFileSync(join(REPO_ROOT, "examples/digits-select.yaml"), "utf8"));
  }, 600_000);

  afterAll(async () => {
    await stack?.close();
  });

  it("ends with the top 3 re-evaluated (12 fold scores each) and the winner's test score on 359 rows", async () => {
    expect(sweep.status).toBe("completed");
    expect(sweep.selection).toHaveLength(3);
    const trials = (await apiClient(stack.coordinator.url).trials(sweep.id)).items as TrialRecord[];
    expect(trials).toHaveLength(12);
    for (const t of trials.filter((t) => t.state === "completed"))
      expect(t.folds).toHaveLength(sweep.selection?.includes(t.id) ? 12 : 6);
    expect(sweep.selection).toContain(sweep.best?.trialId);
    expect(sweep.test).toMatchObject({ state: "done", trialId: sweep.best?.trialId, rows: 359 });
  });

  it("exports the winner; hpo predict of the test rows in a fresh process gives the test score", async () => {
    const out = join(stack.dir, "digits-model");
    const exported = await stack.cli(["export", sweep.id, "--out", out]);
    expect(exported.code, exported.stderr).toBe(0);
    const data = loadDataset({ name: "digits", task: "classification" });
    const rows = testSplit(data, sweep.spec.cv)?.heldOut ?? [];
    const lines = readFileSync(join(REPO_ROOT, "packages/trainer/datasets/digits.csv"), "utf8").trim().split(/\r?\n/);
    const csv = join(stack.dir, "digits-test.csv");
    writeFileSync(csv, `${[lines[0], ...rows.map((r) => lines[r + 1])].join("\n")}\n`);
    const predicted = await stack.cli(["predict", out, csv, "--json"]);
    expect(predicted.code, predicted.stderr).toBe(0);
    const { metrics } = JSON.parse(predicted.stdout) as { metrics: Record<string, number> };
    expect(metrics.val_accuracy).toBe(sweep.test?.score);
  });
});
