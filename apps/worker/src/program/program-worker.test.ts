import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseSweepSpec, type TrialJob } from "@hpo/core";
import { waitFor } from "@hpo/core/testing";
import { jobIdOf } from "@hpo/store";
import { proposeTrial } from "@hpo/store/testing";
import { afterEach, describe, expect, it } from "vitest";
import { openWorkerTestbed } from "../testing/index.ts";

const FIXTURES = join(import.meta.dirname, "fixtures");

describe("worker running program trials (real Redis, real processes)", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
    cleanups.length = 0;
  });

  async function setup(spec: Record<string, unknown>) {
    const bed = openWorkerTestbed();
    const { store, queue } = bed;
    const runsDir = mkdtempSync(join(tmpdir(), "hpo-program-worker-"));
    cleanups.push(async () => {
      await bed.close();
      rmSync(runsDir, { recursive: true, force: true });
    });
    const sweep = await store.createSweep(
      parseSweepSpec({
        program: join(FIXTURES, "fold.py"),
        metric: { name: "score", goal: "maximize" },
        cv: { folds: 2 },
        ...spec,
      }),
    );
    // program trials do not use the training thread; the testbed's cpu backend starts quickest
    const worker = bed.worker("w-program", { programs: { dirs: [FIXTURES], slots: 4, runsDir } });
    cleanups.push(() => worker.close());
    await worker.start();
    let index = 0;
    const enqueue = async (params: Record<string, string | number>) => {
      const trial = await proposeTrial(store, sweep.id, index++, params);
      const { spec } = sweep;
      const job: TrialJob = {
        sweepId: sweep.id,
        trialId: trial.id,
        params,
        program: { path: spec.program as string, command: spec.command ?? [] },
        model: spec.model,
        cv: spec.cv,
        metric: spec.metric,
        maxEpochs: spec.budget.max_epochs,
        seed: 1,
      };
      await queue.add("trial", job, {
        jobId: jobIdOf(sweep.id, trial.id),
        attempts: 2,
        backoff: { type: "fixed", delay: 50 },
      });
      return trial.id;
    };
    const trialDone = (trialId: string) =>
      waitFor(
        `trial ${trialId} final`,
        async () => {
          const t = await store.getTrial(sweep.id, trialId);
          return t && t.state !== "queued" && t.state !== "running" && t;
        },
        { timeoutMs: 30_000 },
      );
    return { store, sweep, enqueue, trialDone };
  }

  it("stores the folds, every metric per step and the program's output in the trial log", async () => {
    const { store, sweep, enqueue, trialDone } = await setup({});
    const id = await enqueue({ mode: "ok", steps: 2, base: 0.5 });
    const t = await trialDone(id);
    expect(t).toMatchObject({ state: "completed", worker: "w-program", attempts: 1 });
    expect(t.folds.map((f) => f.score)).toEqual([0.7, 0.71]);
    expect(t.mean).toBeCloseTo(0.705);
    expect(t.curve.map((e) => e.epoch)).toEqual([1, 2]);
    expect(t.curve[1]?.folds[0]).toEqual({ score: 0.7, loss: 0.5 });
    const log = await waitFor("the trial log", async () => {
      const lines = await store.getTrialLog(sweep.id, id);
      return lines.some((l) => l.message === "trial finished") && lines;
    });
    expect(log.some((l) => l.message === "a warning on stderr" && l.level === "warn")).toBe(true);
    expect(log.some((l) => l.message === "hello from fold 0")).toBe(true);
  });

  it("fails a program that exits non-zero twice, with its last stderr line as the error", async () => {
    const { store, sweep, enqueue, trialDone } = await setup({});
    const id = await enqueue({ mode: "fail" });
    const t = await trialDone(id);
    expect(t.state).toBe("failed");
    expect(t.attempts).toBe(2);
    expect(t.error).toMatch(/fold.py exited with code 3: ValueError: boom/);
    const log = await store.getTrialLog(sweep.id, id);
    expect(log.some((l) => l.level === "error" && l.message === "Traceback: something broke")).toBe(true);
  });

  it("prunes with the sweep's pruner on the K-fold mean and ends the fold processes", async () => {
    const { enqueue, trialDone } = await setup({
      early_terminate: { type: "median", n_startup_trials: 1, n_warmup_steps: 0 },
    });
    const good = await trialDone(await enqueue({ mode: "ok", steps: 3, base: 0.9 }));
    expect(good.state).toBe("completed");
    // fold.py "hang" reports score 0.1/0.2 at step 1, then sleeps: only a prune ends it
    const bad = await trialDone(await enqueue({ mode: "hang" }));
    expect(bad).toMatchObject({ state: "pruned", prunedAt: 1 });
  });
});
