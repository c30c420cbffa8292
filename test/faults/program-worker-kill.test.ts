/**
 * Program trials under worker faults: a worker SIGKILLed mid-fold leaves no process behind (its
 * reaper ends the fold process groups, the programs' own children included), and the trial re-runs
 * on another worker once; a worker stopped with SIGTERM hands its trial back and leaves nothing
 * running either.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { processAlive, waitFor } from "@hpo/core/testing";
import { type Store, trialIdOf } from "@hpo/store";
import { uniquePrefix } from "@hpo/store/testing";
import { afterAll, describe, expect, it } from "vitest";
import { apiClient } from "../helpers/api.ts";
import { REPO_ROOT, startWorkerProcess } from "../helpers/processes.ts";
import { e2eStackPerSuite } from "../helpers/stack.ts";
import { FAULT_LOCK_ENV } from "./fault-workers.ts";

const PROGRAMS = join(REPO_ROOT, "test/faults/fixtures/programs");
const logDir = mkdtempSync(join(tmpdir(), "hpo-program-faults-"));

/** Every pid (fold processes and their children) the trial's folds logged so far, by run. */
function starts(sweepId: string, trialId: string, folds: number): number[][] {
  const runs: number[][] = [];
  for (let f = 0; f < folds; f++) {
    const file = join(logDir, `${sweepId}-${trialId}-fold${f}.log`);
    if (!existsSync(file)) continue;
    readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .forEach((line, run) => {
        runs[run] = [...(runs[run] ?? []), ...line.split(" ").map(Number)];
      });
  }
  return runs;
}

const spec = (name: string, steps: number) =>
  JSON.stringify({
    name,
    program: join(PROGRAMS, "slow_fold.py"),
    metric: { name: "score", goal: "maximize" },
    cv: { folds: 2 },
    budget: { max_trials: 1, max_parallel: 1 },
    parameters: { steps: { value: steps }, step_ms: { value: 300 } },
  });

describe("program trials when their worker dies or stops (real worker processes, 2 s locks)", () => {
  const prefix = uniquePrefix("faults-program");
  afterAll(() => {
    rmSync(logDir, { recursive: true, force: true });
  }); // registered first: runs after the stack's own cleanup
  const stack = e2eStackPerSuite({ prefix, coordinator: { mode: "tfjs", tickMs: 500 } }, "SIGKILL");
  const startWorker = async (name: string) => {
    const w = await startWorkerProcess({
      prefix,
      name,
      env: {
        ...FAULT_LOCK_ENV,
        HPO_BACKEND: "cpu",
        HPO_PROGRAM_DIRS: PROGRAMS,
        HPO_PROGRAM_ENV: "FAULT_LOG_DIR",
        FAULT_LOG_DIR: logDir,
        HPO_RUNS_DIR: join(logDir, "runs"),
        HPO_KILL_GRACE_MS: "1000",
        HPO_CLOSE_GRACE_MS: "1000",
      },
    });
    stack.workers.push(w);
    return w;
  };

  /**
   * Starts worker `name`, submits the one-trial sweep `sweepName` of `steps` steps and waits (60 s)
   * until `running(trial, pids by run)` holds; resolves with the worker, the API client and the ids.
   */
  const submitUntil = async (
    name: string,
    sweepName: string,
    steps: number,
    what: string,
    running: (t: Awaited<ReturnType<Store["getTrial"]>>, runs: number[][]) => unknown,
  ) => {
    const worker = await startWorker(name);
    const api = apiClient(stack.coordinator.url);
    const sweep = await api.submit(spec(sweepName, steps));
    const trialId = trialIdOf(0);
    const runs = () => starts(sweep.id, trialId, 2);
    await waitFor(what, async () => running(await stack.coordinator.store.getTrial(sweep.id, trialId), runs()), {
      timeoutMs: 60_000,
      intervalMs: 50,
    });
    return { worker, api, sweepId: sweep.id, trialId, runs };
  };

  it("SIGKILL mid-fold: no process is left, and the trial re-runs once on another worker", async () => {
    const run = await submitUntil(
      "prog-w1",
      "program-kill",
      12,
      "both folds running with a step reported",
      (t, runs) => runs[0]?.length === 4 && t?.state === "running" && t.curve.length >= 1,
    );
    const { worker: victim, api, sweepId, trialId } = run;
    const firstRun = run.runs()[0] as number[];
    await victim.stop("SIGKILL");
    for (const pid of firstRun)
      await waitFor(`process ${pid} of the killed worker's folds to end`, async () => !processAlive(pid), {
        timeoutMs: 20_000,
      });

    await startWorker("prog-w2");
    const done = await waitFor(
      "the sweep to complete",
      async () => {
        const s = await api.sweep(sweepId);
        return s.status !== "running" && s;
      },
      { timeoutMs: 120_000, intervalMs: 250 },
    );
    expect(done.counts).toMatchObject({ completed: 1, running: 0, queued: 0 });
    const t = await stack.coordinator.store.getTrial(sweepId, trialId);
    expect(t).toMatchObject({ state: "completed", worker: "prog-w2", attempts: 2 });
    expect(t?.folds.map((f) => f.score)).toEqual([12, 12.1]);
    // the curve is the re-run's alone: each step once
    expect(t?.curve.map((e) => e.epoch)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(run.runs()).toHaveLength(2);
    for (const pid of run.runs().flat()) await waitFor(`process ${pid} to end`, async () => !processAlive(pid));
    await Promise.all(stack.workers.splice(0).map((w) => w.stop("SIGTERM", 30_000)));
  });

  it("SIGTERM mid-fold: the worker hands the trial back and leaves no process", async () => {
    const run = await submitUntil(
      "prog-w3",
      "program-term",
      200,
      "the folds of prog-w3 running",
      (t, runs) => t?.worker === "prog-w3" && runs.at(-1)?.length === 4,
    );
    const pids = run.runs().at(-1) as number[];
    expect(await run.worker.stop("SIGTERM", 30_000)).toBe(0);
    for (const pid of pids) expect(processAlive(pid), `process ${pid} after SIGTERM`).toBe(false);
    await run.api.cancel(run.sweepId);
  });
});
