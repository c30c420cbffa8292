import { mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { uniquePrefix } from "@hpo/store/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanEnv, runCli } from "../cli/run-cli.ts";
import { apiClient } from "../helpers/api.ts";
import { REPO_ROOT, startWorkerProcess } from "../helpers/processes.ts";
import { type E2eStack, startE2eStack } from "../helpers/stack.ts";

const EXAMPLES = realpathSync(join(REPO_ROOT, "examples"));

describe("a model-module sweep through hpo submit --watch on 2 real worker processes", () => {
  const prefix = uniquePrefix("e2e-module");
  const elsewhere = mkdtempSync(join(tmpdir(), "hpo-module-elsewhere-"));
  let stack: E2eStack;

  beforeAll(async () => {
    stack = await startE2eStack({ prefix, coordinator: { mode: "tfjs" } });
    const env = { HPO_MODEL_DIRS: EXAMPLES, HPO_BACKEND: "wasm" };
    stack.workers.push(
      ...(await Promise.all(["module-w1", "module-w2"].map((name) => startWorkerProcess({ prefix, name, env })))),
    );
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
    rmSync(elsewhere, { recursive: true, force: true });
  });

  it("trains examples/models/mlp.ts per fold, with the K-fold mean per step, from a path beside the sweep file", async () => {
    // run from another folder: the module path resolves against the sweep file's folder
    const r = await runCli(["submit", "--watch", join(EXAMPLES, "module-mlp.yaml")], {
      cwd: elsewhere,
      env: cleanEnv({ HPO_URL: stack.coordinator.url }),
      timeoutMs: 240_000,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/sweep \S+ "iris-mlp-module": completed/);
    const sweepId = r.stdout.split("\n")[0]?.trim() as string;
    const api = apiClient(stack.coordinator.url);
    const sweep = await api.sweep(sweepId);
    expect(sweep.spec.model.module).toBe(join(EXAMPLES, "models/mlp.ts"));
    expect(sweep.counts).toMatchObject({ completed: 4, failed: 0 });
    const trials = (await api.trials(sweepId)).items;
    const workers = new Set(trials.map((t) => t.worker));
    expect(workers.size).toBeGreaterThanOrEqual(1);
    for (const t of trials) {
      expect(t.folds).toHaveLength(3);
      expect(t.params.units === 8 || t.params.units === 32).toBe(true);
    }
    expect(trials[0]?.mean).toBeGreaterThan(0.7); // iris within 5 epochs of adam ≥ 0.003
    const best = await fetch(`${stack.coordinator.url}/api/sweeps/${sweepId}/trials/${trials[0]?.id}`).then(
      (res) => res.json() as Promise<{ curve: { epoch: number; value: number; folds: Record<string, number>[] }[] }>,
    );
    expect(best.curve.map((e) => e.epoch)).toEqual([1, 2, 3, 4, 5]);
    for (const e of best.curve) {
      const mean = e.folds.reduce((a, f) => a + (f.val_accuracy as number), 0) / e.folds.length;
      expect(e.value).toBeCloseTo(mean, 10);
    }
  }, 300_000);

  it("refuses a module outside HPO_MODEL_DIRS on the worker: the trial fails with the reason, workers go on", async () => {
    const outside = join(elsewhere, "evil.mjs");
    writeFileSync(outside, "export async function train() { throw new Error('must never run'); }\n");
    const api = apiClient(stack.coordinator.url);
    const sweep = await api.submit(`
name: module-outside
dataset: iris
model: { module: ${JSON.stringify(outside)} }
cv: { folds: 3 }
budget: { max_trials: 1, max_parallel: 1, max_epochs: 2 }
`);
    const done = await api.ended(sweep.id, 120_000);
    expect(done.status).toBe("failed");
    const [trial] = (await api.trials(sweep.id)).items;
    expect(trial?.state).toBe("failed");
    expect(trial?.error).toBe(
      `model.module "${outside}" is outside the model directories (HPO_MODEL_DIRS): give a path relative to a model directory`,
    );
    for (const w of stack.workers) expect(w.child.exitCode).toBeNull(); // both still running
  }, 180_000);
});
