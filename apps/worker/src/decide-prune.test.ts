import { HyperbandPruner, parseSweepSpec, type SweepRecord, type TrialJob } from "@hpo/core";
import type { Store } from "@hpo/store";
import { appendEpoch, storePerSuite } from "@hpo/store/testing";
import { describe, expect, it } from "vitest";
import { createDecidePrune } from "./decide-prune.ts";

describe("createDecidePrune (real Redis rungs)", () => {
  const db = storePerSuite();

  /** A sweep with `n` running trials; report(i, epoch, value) appends the epoch and asks the pruner. */
  async function sweepWith(earlyTerminate: Record<string, unknown>, n: number, goal = "maximize") {
    const sweep: SweepRecord = await db.store.createSweep(
      parseSweepSpec({
        name: "prune",
        dataset: "iris",
        metric: { name: goal === "maximize" ? "val_accuracy" : "val_loss", goal },
        budget: { max_epochs: 27, max_trials: n, max_parallel: n },
        early_terminate: earlyTerminate,
      }),
    );
    const trials = await db.store.proposeTrials(
      sweep.id,
      Array.from({ length: n }, (_, index) => ({ index, params: {} })),
    );
    for (const t of trials) await db.store.markRunning(sweep.id, t.id, "w", 1, `run-${t.id}`);
    const decide = createDecidePrune(db.store);
    const job = (trialId: string): TrialJob => ({
      sweepId: sweep.id,
      trialId,
      params: {},
      dataset: sweep.spec.dataset,
      model: sweep.spec.model,
      cv: sweep.spec.cv,
      metric: sweep.spec.metric,
      maxEpochs: 27,
      seed: 1,
    });
    const report = async (i: number, epoch: number, value: number) => {
      const id = (trials[i] as (typeof trials)[number]).id;
      const r = { epoch, folds: [], value };
      await appendEpoch(db.store, sweep.id, id, r, `run-${id}`);
      return decide(job(id), r, `run-${id}`);
    };
    return { sweep, trials, decide, job, report };
  }

  it("early_terminate none never prunes and is inactive", async () => {
    const { decide, job, report, trials } = await sweepWith({ type: "none" }, 2);
    expect(await decide.active?.(job((trials[0] as { id: string }).id))).toBe(false);
    expect(await report(0, 1, 0.9)).toBe(false);
    expect(await report(1, 1, 0.1)).toBe(false);
  });

  it("ASHA (η 3): at rung 1 only the top third of the K-fold means recorded so far goes on", async () => {
    const { decide, job, report, trials } = await sweepWith({ type: "asha", min_resource: 1, reduction_factor: 3 }, 6);
    expect(await decide.active?.(job((trials[0] as { id: string }).id))).toBe(true);
    expect(await report(0, 1, 0.5)).toBe(false); // alone: best so far
    expect(await report(1, 1, 0.4)).toBe(true); // 2 values, keep 1: 0.5 beats it
    expect(await report(2, 1, 0.6)).toBe(false); // best
    expect(await report(3, 1, 0.55)).toBe(true); // 4 values, keep 1: 0.6 beats it
    expect(await report(4, 1, 0.58)).toBe(true); // 5 values, keep 1
    expect(await report(5, 1, 0.59)).toBe(false); // 6 values, keep 2: only 0.6 is better
    expect(await report(0, 2, 0.1)).toBe(false); // epoch 2 is no rung
    // minimize: lower is better
    const m = await sweepWith({ type: "asha", min_resource: 1, reduction_factor: 2 }, 2, "minimize");
    expect(await m.report(0, 1, 0.3)).toBe(false);
    expect(await m.report(1, 1, 0.2)).toBe(false);
    expect(await m.report(1, 2, 0.2)).toBe(false);
    expect(await m.report(0, 2, 0.5)).toBe(true);
  });

  it("median: waits for n_startup_trials finished trials, then compares the trial's best so far", async () => {
    const { sweep, trials, report } = await sweepWith({ type: "median", n_startup_trials: 1 }, 3);
    expect(await report(0, 1, 0.8)).toBe(false);
    expect(await report(1, 1, 0.2)).toBe(false); // no finished trial yet
    await db.store.finishTrial(sweep.id, (trials[0] as { id: string }).id, {
      state: "completed",
      folds: [],
      flags: [],
    });
    expect(await report(2, 1, 0.5)).toBe(false); // median of {0.8, 0.2} = 0.5: not worse
    expect(await report(1, 2, 0.3)).toBe(false); // nobody else at epoch 2 yet
    expect(await report(2, 2, 0.25)).toBe(false); // 0.25 < 0.3, but its best so far (0.5) is not
    expect(await report(2, 3, 0.7)).toBe(false);
    expect(await report(1, 3, 0.31)).toBe(true); // best 0.31 < median {0.7}
  });

  it("Hyperband: a trial's bracket is a pure function of its id and trials compete within it", async () => {
    const hb = new HyperbandPruner({ minResource: 1, maxResource: 27, reductionFactor: 3 });
    const ids = Array.from({ length: 40 }, (_, i) => `t${String(i).padStart(4, "0")}`);
    const brackets = ids.map((id) => hb.bracketOf(id));
    expect(
      ids.map((id) => new HyperbandPruner({ minResource: 1, maxResource: 27, reductionFactor: 3 }).bracketOf(id)),
    ).toEqual(brackets);
    expect(new Set(brackets).size).toBeGreaterThan(1);
    const { report } = await sweepWith(
      { type: "hyperband", min_resource: 1, max_resource: 27, reduction_factor: 3 },
      40,
    );
    // bracket 0 has its first rung at epoch 1: the first trial there survives whatever others did
    const b0 = brackets.map((b, i) => (b === 0 ? i : -1)).filter((i) => i >= 0);
    const other = brackets.findIndex((b) => b !== 0);
    expect(await report(other, 1, 0.99)).toBe(false);
    expect(await report(b0[0] as number, 1, 0.1)).toBe(false); // 0.99 is in another bracket
    expect(await report(b0[1] as number, 1, 0.05)).toBe(true); // same bracket, worse
  });

  it("a Redis error while deciding means no prune (the trial trains on), not a failed trial", async () => {
    const { sweep, trials, job } = await sweepWith({ type: "asha", min_resource: 1 }, 2);
    const flaky = Object.create(db.store) as Store;
    let failing = true;
    flaky.reportStep = async (...args) => {
      if (failing) throw new Error("connection lost");
      return db.store.reportStep(...args);
    };
    flaky.getSweep = db.store.getSweep.bind(db.store);
    const decide = createDecidePrune(flaky);
    const [a, b] = trials.map((t) => t.id) as [string, string];
    await appendEpoch(db.store, sweep.id, a, { epoch: 1, folds: [], value: 0.9 }, `run-${a}`);
    await db.store.reportStep(sweep.id, a, 1, 0.9, { run: `run-${a}` });
    await appendEpoch(db.store, sweep.id, b, { epoch: 1, folds: [], value: 0.1 }, `run-${b}`);
    expect(await decide(job(b), { epoch: 1, folds: [], value: 0.1 }, `run-${b}`)).toBe(false);
    failing = false;
    expect(await decide(job(b), { epoch: 1, folds: [], value: 0.1 }, `run-${b}`)).toBe(true);
  });
});
