/**
 * The dashboard's Export model button in Chromium: on a finished sweep it asks the coordinator to
 * refit the best trial (POST /api/sweeps/:id/export) and saves the export's files as downloads,
 * the same bytes `hpo export` writes: a TensorFlow.js model for the built-in trainer, the files
 * a program's refit run wrote for a program sweep.
 */
import { mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SweepRecord } from "@hpo/core";
import { uniquePrefix } from "@hpo/store/testing";
import type { Download } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type ExportStack, startExportStack } from "../helpers/export-stack.ts";
import { describeNeeding } from "../helpers/needs.ts";
import { REPO_ROOT } from "../helpers/processes.ts";
import { type BrowserSession, chromiumMissing, ensureDashboardBuilt, openBrowser } from "./browser.ts";

const PROGRAMS = realpathSync(join(REPO_ROOT, "examples/programs"));
const RUNS = mkdtempSync(join(tmpdir(), "hpo-export-button-runs-"));

const IRIS = `
name: iris-export-button
method: grid
seed: 3
dataset: iris
metric: { name: val_accuracy, goal: maximize }
parameters:
  learning_rate: { values: [0.01, 0.05] }
  batch_size: { value: 16 }
model: { hidden: [8], activation: relu }
cv: { folds: 3, stratified: true, seed: 2, test_fraction: 0.2 }
budget: { max_trials: 2, max_parallel: 2, max_epochs: 8 }
`;

const PROGRAM = `
name: wine-export-button
program: ${PROGRAMS}/wine_softmax.py
method: grid
metric: { name: val_accuracy, goal: maximize }
parameters:
  learning_rate: { value: 0.1 }
  batch_size: { value: 16 }
  epochs: { value: 3 }
cv: { folds: 3, stratified: true, seed: 1 }
budget: { max_trials: 1, max_parallel: 1 }
`;

describeNeeding("Chromium", chromiumMissing())("the dashboard's Export model button", () => {
  let stack: ExportStack;
  let s: BrowserSession;

  beforeAll(async () => {
    ensureDashboardBuilt();
    stack = await startExportStack(uniquePrefix("browser-export"), {
      HPO_BACKEND: "wasm",
      HPO_PROGRAM_DIRS: PROGRAMS,
      HPO_RUNS_DIR: RUNS,
    });
    s = await openBrowser();
  }, 240_000);

  afterAll(async () => {
    await s?.close();
    await stack?.close();
    rmSync(RUNS, { recursive: true, force: true });
  });

  /** Opens the sweep's page, clicks Export model; returns the export API reply's status and the downloads' files. */
  const clickExport = async (sweep: SweepRecord, count: number) => {
    const { page } = s;
    await page.goto(`${stack.coordinator.url}/#/sweeps/${sweep.id}`);
    const button = page.locator("[data-testid=export-model]");
    await button.waitFor({ state: "visible", timeout: 30_000 });
    const downloads: Download[] = [];
    page.on("download", (d) => downloads.push(d));
    const [reply] = await Promise.all([
      page.waitForResponse(
        (r) => r.url().endsWith(`/api/sweeps/${sweep.id}/export`) && r.request().method() === "POST",
        {
          timeout: 180_000,
        },
      ),
      button.click(),
    ]);
    await expect.poll(() => downloads.length, { timeout: 30_000 }).toBe(count);
    const files = new Map<string, Buffer>();
    for (const d of downloads) files.set(d.suggestedFilename(), readFileSync(await d.path()));
    page.removeAllListeners("download");
    expect(await button.textContent()).toBe("Export model");
    return { status: reply.status(), files };
  };

  it("on a finished built-in sweep: downloads the four files hpo export writes, the same bytes", async () => {
    const sweep = await stack.finished(IRIS);
    expect(sweep.test?.state, sweep.test?.error).toBe("done");
    const { status, files } = await clickExport(sweep, 4);
    expect(status).toBe(200);
    expect([...files.keys()].sort()).toEqual(["model-card.json", "model.json", "preprocessing.json", "weights.bin"]);
    const card = JSON.parse((files.get("model-card.json") as Buffer).toString("utf8"));
    expect(card).toMatchObject({ trialId: sweep.best?.trialId, test: { score: sweep.test?.score } });
    // the CLI's export of the same trial: the refit kept in Redis, byte for byte
    const out = join(stack.dir, "cli-iris");
    const cli = await stack.cli(["export", sweep.id, "--out", out]);
    expect(cli.code, cli.stderr).toBe(0);
    for (const name of ["model.json", "weights.bin", "preprocessing.json"])
      expect((files.get(name) as Buffer).equals(readFileSync(join(out, name))), name).toBe(true);
    expect(s.problems).toEqual([]);
  });

  it("on a finished program sweep: downloads what the program's refit run wrote, and its card", async () => {
    const sweep = await stack.finished(PROGRAM, false);
    expect(sweep.status).toBe("completed");
    const { status, files } = await clickExport(sweep, 2);
    expect(status).toBe(200);
    expect([...files.keys()].sort()).toEqual(["model-card.json", "model.json"]);
    const written = readFileSync(join(RUNS, sweep.id, sweep.best?.trialId as string, "refit", "model.json"));
    expect((files.get("model.json") as Buffer).equals(written)).toBe(true);
    const card = JSON.parse((files.get("model-card.json") as Buffer).toString("utf8"));
    expect(card).toMatchObject({ backend: "program", program: { files: 1 } });
    expect(s.problems).toEqual([]);
    await s.screenshot("dashboard-export-program");
  });
});
