/// <reference lib="dom" />
/**
 * The dashboard in headless Chromium against a real coordinator process and two real worker
 * processes training real (small) sweeps with TensorFlow.js: every view renders, sorting and
 * filtering work, progress updates live, a dropped event stream reconnects and catches up,
 * user-provided names render as text, actions need the token, and the console stays clean.
 * Screenshots of each view go to test-artifacts/.
 */

import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SweepRecord } from "@hpo/core";
import { waitFor } from "@hpo/core/testing";
import { deleteKeysUnder } from "@hpo/store";
import { uniquePrefix } from "@hpo/store/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { apiClient } from "../helpers/api.ts";
import { describeNeeding } from "../helpers/needs.ts";
import { type Proc, REDIS_URL, REPO_ROOT, startCoordinatorProcess, startWorkerProcess } from "../helpers/processes.ts";
import { type BrowserSession, chromiumMissing, type FailedLoad, failedLoad, openBrowser } from "./browser.ts";
import { leaderboardColumn, leaderboardCount, leadingNumber } from "./dashboard-page.ts";

const XSS = "<img src=x onerror=alert(1)>";
const TOKEN = "dash-test-token";

const LIVE_TRIALS = 1000;
const sweepYaml = (name: string, trials: number, parallel: number, epochs: number) => `
name: ${JSON.stringify(name)}
method: random
metric: { name: val_accuracy, goal: maximize }
dataset: { name: iris, task: classification }
model: { hidden: [16], activation: relu }
cv: { folds: 3, stratified: true, seed: 3 }
budget: { max_trials: ${trials}, max_parallel: ${parallel}, max_epochs: ${epochs} }
early_terminate: { type: none }
seed: 11
parameters:
  learning_rate: { distribution: log_uniform_values, min: 0.001, max: 0.3 }
  batch_size: { values: [16, 32] }
  optimizer: { values: [adam, sgd] }
  dropout: { distribution: uniform, min: 0, max: 0.3 }
`;

/** A program sweep (issue 13): the plain-Python wine example, run once per fold by the workers. */
const PROGRAMS = join(REPO_ROOT, "examples/programs");
const programSweepYaml = `
name: wine-program
program: ${JSON.stringify(join(PROGRAMS, "wine_softmax.py"))}
method: random
metric: { name: val_accuracy, goal: maximize }
parameters:
  learning_rate: { distribution: log_uniform_values, min: 0.03, max: 1 }
  batch_size: { values: [16, 32] }
  l2: { distribution: log_uniform_values, min: 0.00001, max: 0.01 }
  epochs: { value: 4 }
cv: { folds: 3, stratified: true, seed: 1 }
budget: { max_trials: 2, max_parallel: 2 }
seed: 1
`;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

describeNeeding("Chromium", chromiumMissing())("dashboard in the browser", () => {
  const prefix = uniquePrefix("dash");
  const redis = new Redis(REDIS_URL);
  let port = 0;
  let url = "";
  let coordinator: Proc | undefined;
  const workers: Proc[] = [];
  let s: BrowserSession;
  let done: SweepRecord; // a finished real sweep named XSS
  let programDone: SweepRecord; // a finished program sweep
  const runsDir = mkdtempSync(join(tmpdir(), "hpo-browser-runs-"));
  const api = () => apiClient(url, TOKEN);

  const startCoordinator = async () => {
    const c = await startCoordinatorProcess({ prefix, env: { HPO_PORT: String(port), HPO_TOKEN: TOKEN } });
    coordinator = c.proc;
    url = c.url;
  };

  beforeAll(async () => {
    if (!existsSync(join(REPO_ROOT, "apps/dashboard/dist/index.html"))) {
      execFileSync("pnpm", ["--filter", "@hpo/dashboard", "build"], { cwd: REPO_ROOT, stdio: "ignore" });
    }
    port = await freePort();
    await startCoordinator();
    workers.push(
      ...(await Promise.all([
        ...["browser-w1", "browser-w2"].map((name) =>
          startWorkerProcess({
            prefix,
            name,
            env: { HPO_BACKEND: "cpu", HPO_PROGRAM_DIRS: PROGRAMS, HPO_RUNS_DIR: runsDir },
          }),
        ),
      ])),
    );
    const submitted = await api().submit(sweepYaml(XSS, 10, 2, 4));
    done = await waitFor(
      "the XSS-named sweep to finish",
      async () => {
        const sw = await api().sweep(submitted.id);
        return sw.status === "completed" && sw;
      },
      { timeoutMs: 150_000, intervalMs: 500 },
    );
    programDone = await api().ended((await api().submit(programSweepYaml)).id, 150_000);
    s = await openBrowser();
  }, 240_000);

  afterAll(async () => {
    await s?.close();
    await Promise.all(workers.map((w) => w.stop()));
    await coordinator?.stop();
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
    rmSync(runsDir, { recursive: true, force: true });
  });

  it("lists sweeps with progress and the best K-fold score; a hostile name renders as text", async () => {
    const { page } = s;
    await page.goto(`${url}/#/`);
    const row = page.locator(`tr[data-sweep="${done.id}"]`);
    await row.waitFor();
    expect(await row.locator("td.name a").textContent()).toBe(XSS);
    expect(await page.locator("[data-testid=sweeps-table] img").count()).toBe(0);
    expect(await row.locator(".n-done").textContent()).toBe(String(done.counts.completed));
    expect(await row.locator(".n-total").textContent()).toBe("10");
    expect(leadingNumber((await row.locator("[data-testid=best]").textContent()) ?? "")).toBeCloseTo(
      done.best?.mean as number,
      3,
    );
    await page.locator("[data-testid=live-status].live").waitFor();
    await s.screenshot("dashboard-sweeps");
    expect(s.problems).toEqual([]);
  });

  it("shows the sweep: leaderboard sorted best first, re-sorts and filters on the server, plots render", async () => {
    const { page } = s;
    await page.goto(`${url}/#/sweeps/${done.id}`);
    expect(await page.textContent("[data-testid=sweep-name]")).toBe(XSS);
    await page.waitForSelector(".lb-row[data-trial^=t]");
    const scores = (await leaderboardColumn(page, "score")).map(leadingNumber);
    expect(scores).toHaveLength(done.counts.completed);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(scores[0]).toBeCloseTo(done.best?.mean as number, 3);

    // ascending learning rate, then descending
    await page.click('[data-sort="p:learning_rate"]');
    await page.waitForFunction(
      () => document.querySelector('[data-sort="p:learning_rate"]')?.getAttribute("aria-sort") === "ascending",
    );
    let lrs: number[] = [];
    await waitFor(
      "rows in ascending learning rate",
      async () => {
        lrs = (await leaderboardColumn(page, "p:learning_rate")).map(Number);
        return lrs.length === 10 && lrs.every((v, i) => i === 0 || v >= (lrs[i - 1] as number));
      },
      { timeoutMs: 10_000 },
    );
    await page.click('[data-sort="p:learning_rate"]');
    await waitFor(
      "rows in descending learning rate",
      async () => {
        lrs = (await leaderboardColumn(page, "p:learning_rate")).map(Number);
        return lrs.length === 10 && lrs.every((v, i) => i === 0 || v <= (lrs[i - 1] as number));
      },
      { timeoutMs: 10_000 },
    );

    // filter by a param clause: only adam rows, and the count says how many of all
    const adam = (await api().trials(done.id)).items.filter((t) => t.params.optimizer === "adam").length;
    await page.fill("[data-testid=param-filter]", "optimizer=adam");
    await page.press("[data-testid=param-filter]", "Enter");
    await waitFor(
      "only adam rows",
      async () => {
        const opts = await leaderboardColumn(page, "p:optimizer");
        return opts.length === adam && opts.every((o) => o === "adam");
      },
      { timeoutMs: 10_000 },
    );
    expect(await leaderboardCount(page)).toBe(adam === 10 ? "10 trials" : `${adam} of 10 trials`);
    // a bad clause explains itself instead of failing silently
    await page.fill("[data-testid=param-filter]", "nosuch<1");
    await page.waitForTimeout(400); // the typing pause (300 ms) applies it; Enter must not ask again
    await page.press("[data-testid=param-filter]", "Enter");
    await page.waitForSelector(".leaderboard .error-text:has-text('unknown column')");
    // Chromium logs the refused request (HTTP 400) itself; that one is expected, and only once:
    // the refused page is not asked again when the error text resizes the table or it scrolls
    await page.evaluate(() => document.querySelector(".leaderboard .lb-scroll")?.dispatchEvent(new Event("scroll")));
    await page.waitForTimeout(500);
    const refusedFilter = s.problems.filter((p) => failedLoad(p)?.status === 400);
    expect(refusedFilter).toHaveLength(1);
    expect(failedLoad(refusedFilter[0] as string)?.url.split("?")[0]).toBe(
      `${url}/api/dashboard/sweeps/${encodeURIComponent(done.id)}/leaderboard`,
    );
    s.problems.splice(s.problems.indexOf(refusedFilter[0] as string), 1);
    await page.fill("[data-testid=param-filter]", "");
    await page.press("[data-testid=param-filter]", "Enter");
    await page.selectOption("[data-testid=state-filter]", "running");
    await page.waitForFunction(
      () => document.querySelector("[data-testid=lb-count]")?.textContent === "0 of 10 trials",
    );
    await page.selectOption("[data-testid=state-filter]", "");
    await page.waitForFunction(() => document.querySelector("[data-testid=lb-count]")?.textContent === "10 trials");

    // every plot drew on its canvas (charts initialise when scrolled into view)
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await waitFor("5 charts", async () => (await page.locator(".plots canvas").count()) >= 5, { timeoutMs: 20_000 });
    await page.waitForSelector(".note:has-text('PED-ANOVA')");
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.waitForTimeout(300);
    await s.screenshot("dashboard-sweep");
    expect(s.problems).toEqual([]);
  });

  it("shows a trial: K-fold summary, learning curves with loss and metric, validation metrics, gradient norms, config, worker log", async () => {
    const { page } = s;
    const best = done.best?.trialId as string;
    await page.goto(`${url}/#/sweeps/${done.id}`);
    await page.click(`.lb-row[data-trial="${best}"]`);
    await page.waitForSelector("[data-testid=trial-title]");
    expect(await page.textContent("[data-testid=trial-title]")).toBe(`Trial ${best}`);
    await page.waitForSelector(".note:has-text('4 epochs × 3 folds')");
    expect(await page.locator(".facts dt", { hasText: "learning_rate" }).count()).toBe(1);
    expect(await page.locator(".facts dd", { hasText: "browser-w" }).count()).toBe(1);
    const folds = await page.locator(".grid-table.compact tbody tr").count();
    expect(folds).toBe(3);
    // gradient norms are recorded per layer by the trainer; the chart is shown when present
    const gradHidden = await page.locator("text=recorded no gradient norms").count();
    expect(gradHidden).toBe(0);
    // the worker's log of this trial, read back from the store: its start and its outcome
    await page.waitForSelector("[data-testid=trial-log-line]:has-text('trial finished')");
    const logText = await page.textContent("[data-testid=trial-log]");
    expect(logText).toMatch(/INFO\s+browser-w\d?\s+trial started attempt=1/);
    expect(logText).toContain("state=completed");
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await waitFor("3 charts", async () => (await page.locator(".plots canvas").count()) >= 3, { timeoutMs: 20_000 });
    // every validation metric per epoch (K-fold means): AUC, F1, balanced accuracy, log loss, accuracy
    expect(await page.locator("[data-testid=val-metrics] canvas").count()).toBeGreaterThan(0);
    expect(await page.locator("text=no validation metrics recorded").count()).toBe(0);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.waitForTimeout(300);
    await s.screenshot("dashboard-trial");
    expect(s.problems).toEqual([]);
  });

  it("shows a program trial like a built-in one: params, per-fold scores and metrics, curves, the fold log", async () => {
    const { page } = s;
    expect(programDone.status).toBe("completed");
    const best = programDone.best?.trialId as string;
    await page.goto(`${url}/#/sweeps/${programDone.id}`);
    await page.click(`.lb-row[data-trial="${best}"]`);
    await page.waitForSelector("[data-testid=trial-title]");
    expect(await page.textContent("[data-testid=trial-title]")).toBe(`Trial ${best}`);
    for (const param of ["learning_rate", "l2", "batch_size"])
      expect(await page.locator(".facts dt", { hasText: param }).count()).toBe(1);
    expect(await page.locator(".grid-table.compact tbody tr").count()).toBe(3);
    // the worker's lines about the program's folds, read back from the store
    await page.waitForSelector("[data-testid=trial-log-line]:has-text('trial finished')");
    const logText = await page.textContent("[data-testid=trial-log]");
    expect(logText).toContain("fold 0 started");
    expect(logText).toContain("fold 2 started");
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    // curves of what the program reported (val_accuracy, val_loss; train_loss is in the folds table)
    await waitFor("the curves", async () => (await page.locator(".plots canvas").count()) >= 2, { timeoutMs: 20_000 });
    expect(await page.locator("[data-testid=val-metrics] canvas").count()).toBeGreaterThan(0);
    await s.screenshot("dashboard-program-trial");
    expect(s.problems).toEqual([]);
  });

  it("shows the fleet: both workers and the queue", async () => {
    const { page } = s;
    await page.goto(`${url}/#/fleet`);
    await page.waitForSelector("[data-testid=workers-table]");
    const names = await page.locator("[data-testid=workers-table] tbody td.mono:first-child").allTextContents();
    expect(names.sort()).toEqual(["browser-w1", "browser-w2"]);
    // each worker publishes its backend (HPO_BACKEND=cpu here) and throughput in its status hash
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll("[data-testid=workers-table] tbody tr")].every(
          (tr) => tr.children[2]?.textContent === "cpu",
        ),
      null,
      { timeout: 20_000 },
    );
    await page.waitForTimeout(500);
    await s.screenshot("dashboard-fleet");
    expect(s.problems).toEqual([]);
  });

  it("submits from pasted YAML: shows the API's validation messages as text, needs the token, then runs live", async () => {
    const { page } = s;
    await page.goto(`${url}/#/submit`);
    await page.fill("[data-testid=yaml]", `${sweepYaml("bad", 2, 1, 2)}  "${XSS}": { values: [1, 2] }\n`);
    await page.click("[data-testid=submit]");
    // no token yet: the coordinator refuses, the page asks for a token allowed to submit, the user
    // gives none and sees the refusal
    await page.waitForSelector("[data-testid=submit-result]:has-text('UNAUTHORIZED')");
    expect(s.tokenPrompts).toEqual([expect.stringContaining("missing bearer token")]);
    // the next time the user answers the prompt: the same click then goes through
    s.tokenAnswer = TOKEN;
    await page.click("[data-testid=submit]");
    await page.waitForSelector("[data-testid=submit-result]:has-text('INVALID_SPEC')");
    expect(s.tokenPrompts).toHaveLength(2);
    expect(await page.inputValue("input.token")).toBe(TOKEN);
    const issue = await page.locator("[data-testid=submit-result] li").first().textContent();
    expect(issue).toContain(XSS);
    expect(issue).toContain("is not a parameter of the built-in trainer");
    expect(await page.locator("[data-testid=submit-result] img").count()).toBe(0);
    await s.screenshot("dashboard-submit-invalid");

    // a valid sweep: the app navigates to it and its progress moves without a reload
    // 1,000 trials: still running when the test cancels it at the end, however fast the trainer is
    // (60 trials once finished during the coordinator restart below)
    await page.fill("[data-testid=yaml]", sweepYaml("live-progress", LIVE_TRIALS, 1, 6));
    await page.click("[data-testid=submit]");
    await page.waitForSelector("[data-testid=sweep-name]:has-text('live-progress')");
    const sweepId = decodeURIComponent(page.url().split("#/sweeps/")[1] ?? "");
    await page.evaluate(() => {
      (window as unknown as { marker: number }).marker = 42; // survives only without a reload
    });
    await page.waitForFunction(
      () => Number(document.querySelector("[data-testid=sweep-progress] .n-done")?.textContent) >= 2,
      null,
      { timeout: 120_000 },
    );
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
    await page.waitForSelector(".lb-row[data-trial^=t] .badge.state-completed");

    // the event stream drops (coordinator restart) and catches up after reconnecting
    await page.goto(`${url}/#/`);
    const doneCell = page.locator(`tr[data-sweep="${sweepId}"] .n-done`);
    await doneCell.waitFor();
    await coordinator?.stop();
    await page.locator("[data-testid=live-status].reconnecting").waitFor({ timeout: 20_000 });
    const before = Number(await doneCell.textContent());
    await startCoordinator();
    await page.locator("[data-testid=live-status].live").waitFor({ timeout: 30_000 });
    await waitFor(
      "the sweep to move on after the reconnect",
      async () => Number(await doneCell.textContent()) > before,
      { timeoutMs: 120_000 },
    );
    await s.screenshot("dashboard-sweeps-live");

    // cancel, resume and extend from the Sweep view (the page has the token now)
    await page.goto(`${url}/#/sweeps/${sweepId}`);
    expect((await api().sweep(sweepId)).status).toBe("running");
    await page.click("[data-testid=cancel-sweep]");
    await page.waitForSelector(".page-head .badge.state-cancelled", { timeout: 20_000 });
    expect((await api().sweep(sweepId)).status).toBe("cancelled");
    expect(await page.isHidden("[data-testid=cancel-sweep]")).toBe(true);
    await page.click("[data-testid=resume-sweep]");
    await page.waitForSelector(".page-head .badge.state-running", { timeout: 20_000 });
    expect((await api().sweep(sweepId)).status).toBe("running");
    await page.fill("[data-testid=extend-trials]", "5");
    await page.click("[data-testid=extend-sweep]");
    await page.waitForFunction(
      (total) => document.querySelector("[data-testid=sweep-progress] .n-total")?.textContent === total,
      (LIVE_TRIALS + 5).toLocaleString("en-US"), // as the page formats it: "1,005"
    );
    expect((await api().sweep(sweepId)).spec.budget.max_trials).toBe(LIVE_TRIALS + 5);
    expect(s.tokenPrompts, "asked once more after the page had the token").toHaveLength(2);
    await s.screenshot("dashboard-sweep-actions");
    await api().cancel(sweepId);
    // Chromium's own log lines for the expected refusals, by URL: the two submits without the
    // token (401), the second retried with the prompted token as an invalid spec (400); while the
    // coordinator restarted, the event stream cut mid-response and the API refusing connections
    const submits = s.problems.filter((p) => failedLoad(p)?.url === `${url}/api/sweeps`);
    expect(submits.map((p) => failedLoad(p)?.status)).toEqual([401, 401, 400]);
    const restart = (f: FailedLoad | undefined) =>
      (f?.error === "ERR_CONNECTION_REFUSED" && f.url.startsWith(`${url}/api/`)) ||
      (f?.error === "ERR_INCOMPLETE_CHUNKED_ENCODING" && f.url.split("?")[0] === `${url}/api/events`);
    const unexpected = s.problems.filter((p) => !submits.includes(p) && !restart(failedLoad(p)));
    expect(unexpected).toEqual([]);
  });
});
