/**
 * Issue 14, dashboard side: the trial page's per-layer gradient-norm chart names each series by
 * its layer (conv2d_0, residual_2/shortcut, …), as the trainer reported them. A real coordinator
 * process, a real worker process training a small layer-list sweep (convolutions and a residual
 * block with a projection) on digits and one with recurrent layers on the adding problem, the
 * built dashboard, headless Chromium. The chart is a
 * canvas: the names are read from the aria-label ECharts writes from the series it drew.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { deleteKeysUnder } from "@hpo/store";
import { uniquePrefix } from "@hpo/store/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { apiClient } from "../helpers/api.ts";
import { describeNeeding } from "../helpers/needs.ts";
import { type Proc, REDIS_URL, REPO_ROOT, startCoordinatorProcess, startWorkerProcess } from "../helpers/processes.ts";
import { type BrowserSession, chromiumMissing, openBrowser } from "./browser.ts";

const SWEEP = `
name: grad-norm-names
method: random
metric: { name: val_accuracy, goal: maximize }
dataset: { name: digits, task: classification }
model:
  activation: relu
  layers:
    - { type: conv2d, filters: 4, kernel_size: 3, padding: same }
    - { type: max_pool2d }
    - type: residual
      layers:
        - { type: conv2d, filters: { param: width }, kernel_size: 3, padding: same }
    - { type: flatten }
    - { type: dense, units: 16 }
cv: { folds: 2, stratified: true, seed: 1 }
budget: { max_trials: 1, max_parallel: 1, max_epochs: 2 }
early_terminate: { type: none }
seed: 3
parameters:
  learning_rate: { value: 0.01 }
  width: { value: 8 }
`;

/** The layers with parameters, in order: the residual block projects 4 channels to 8. */
const LAYERS = ["conv2d_0", "residual_2/conv2d_0", "residual_2/shortcut", "dense_4", "output"];

/** Recurrent layers on the adding problem's sequences. */
const RNN_SWEEP = `
name: grad-norm-names-rnn
method: random
metric: { name: val_loss, goal: minimize }
dataset: { name: adding, rows: 200, timesteps: 8 }
model:
  layers:
    - { type: lstm, units: 8, return_sequences: true }
    - { type: gru, units: 4 }
cv: { folds: 2, stratified: false, seed: 1 }
budget: { max_trials: 1, max_parallel: 1, max_epochs: 2 }
early_terminate: { type: none }
seed: 3
parameters:
  learning_rate: { value: 0.01 }
`;

describeNeeding("Chromium", chromiumMissing())("gradient norms by layer name in the browser", () => {
  const prefix = uniquePrefix("browser-grad-names");
  const redis = new Redis(REDIS_URL);
  let coordinator: Proc | undefined;
  let worker: Proc | undefined;
  let url = "";
  let s: BrowserSession;
  /** [sweep id, id of its trial] of the conv sweep and of the recurrent one. */
  let conv: [string, string] = ["", ""];
  let rnn: [string, string] = ["", ""];

  beforeAll(async () => {
    // the dist must hold this checkout's dashboard (the chart's labels)
    const dashboardDir = join(REPO_ROOT, "apps/dashboard");
    execFileSync(process.execPath, [join(dashboardDir, "node_modules/vite/bin/vite.js"), "build"], {
      cwd: dashboardDir,
      stdio: "ignore",
    });
    const c = await startCoordinatorProcess({ prefix });
    coordinator = c.proc;
    url = c.url;
    worker = await startWorkerProcess({ prefix, name: "grad-names-w1", env: { HPO_BACKEND: "wasm" } });
    const api = apiClient(url);
    const ids = [(await api.submit(SWEEP)).id, (await api.submit(RNN_SWEEP)).id];
    const [a, b] = await Promise.all(ids.map((id) => api.ended(id, 300_000)));
    for (const done of [a, b]) expect(done?.status).toBe("completed");
    conv = [a?.id as string, a?.best?.trialId as string];
    rnn = [b?.id as string, b?.best?.trialId as string];
    s = await openBrowser();
  }, 420_000);

  afterAll(async () => {
    await s?.close();
    await worker?.stop();
    await coordinator?.stop();
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
  });

  /** The series names of the trial page's gradient-norm chart, read from its aria-label. */
  async function seriesNames([sweepId, trialId]: [string, string]): Promise<string[]> {
    const { page } = s;
    await page.goto(`${url}/#/sweeps/${sweepId}/trials/${trialId}`);
    await page.waitForSelector(".note:has-text('2 epochs × 2 folds')");
    const chart = page.locator("[data-testid=grad-norms] .chart");
    await chart.scrollIntoViewIfNeeded();
    await chart.locator("canvas").waitFor({ timeout: 20_000 });
    // ECharts describes the drawn series in the chart's aria-label: "… series is a line chart representing <name>."
    await page.waitForFunction(() =>
      /representing/.test(document.querySelector("[data-testid=grad-norms] .chart")?.getAttribute("aria-label") ?? ""),
    );
    const label = (await chart.getAttribute("aria-label")) ?? "";
    expect(await page.locator("text=recorded no gradient norms").count()).toBe(0);
    return [...label.matchAll(/representing ([^\s.,;]+)/g)].map((m) => m[1] as string);
  }

  it("labels each layer's gradient-norm series by the layer's name, in layer order: conv and residual", async () => {
    expect(await seriesNames(conv)).toEqual(LAYERS);
    await s.screenshot("dashboard-trial-grad-norms");
    expect(s.problems).toEqual([]);
  });

  it("labels recurrent layers' series by name too", async () => {
    expect(await seriesNames(rnn)).toEqual(["lstm_0", "gru_1", "output"]);
    await s.screenshot("dashboard-trial-grad-norms-rnn");
    expect(s.problems).toEqual([]);
  });
});
