import type { SweepRecord, TrialRecord } from "@hpo/core";
import { describe, expect, it } from "vitest";
import { toSweepSummary, toTrialRow } from "./convert.ts";

/** A sweep as the wire may carry it ("s1", created at 0, 1 proposed, no counts), `more` on top. */
const wireSweep = (more: Record<string, unknown>) =>
  ({ id: "s1", name: "n", createdAt: 0, proposed: 1, counts: {}, ...more }) as unknown as SweepRecord;

/** A trial as the wire may carry it (t0001, completed, no params, flags or folds), `more` on top. */
const wireTrial = (more: Record<string, unknown>) =>
  ({ id: "t0001", index: 1, state: "completed", params: {}, flags: [], folds: [], ...more }) as unknown as TrialRecord;

describe("wire → domain", () => {
  it("summarises a sweep: progress of the budget, failed includes diverged, duration so far", () => {
    const w = wireSweep({
      status: "running",
      createdAt: 1000,
      proposed: 7,
      counts: { queued: 1, running: 2, completed: 2, pruned: 1, failed: 0, diverged: 1 },
      spec: {
        metric: { name: "val_loss", goal: "minimize" },
        budget: { max_trials: 20 },
        cv: { folds: 5 },
        parameters: { lr: {}, dropout: {} },
      },
    });
    const s = toSweepSummary(w, 6000);
    expect(s).toMatchObject({
      total: 20,
      done: 2,
      running: 2,
      pruned: 1,
      failed: 1,
      durationMs: 5000,
      goal: "minimize",
      folds: 5,
    });
    expect(s.counts.cancelled).toBe(0);
    expect(s.paramNames).toEqual(["lr", "dropout"]);
  });
  it("puts each fold's score at its fold number", () => {
    const t = wireTrial({
      folds: [
        { fold: 1, score: 0.5 },
        { fold: 0, score: 0.4 },
      ],
    });
    expect(toTrialRow(t).foldScores).toEqual([0.4, 0.5]);
  });
  it("counts R × K fold columns with cv.repeats and keeps each trial's CI and tie", () => {
    const w = wireSweep({
      status: "completed",
      spec: { metric: { name: "acc", goal: "maximize" }, budget: { max_trials: 1 }, cv: { folds: 5, repeats: 2 } },
    });
    expect(toSweepSummary(w, 0).folds).toBe(10);
    const t = wireTrial({ ciLow: 0.9, ciHigh: 0.95, pBest: 0.4, tied: true });
    expect(toTrialRow(t)).toMatchObject({ ciLow: 0.9, ciHigh: 0.95, pBest: 0.4, tied: true });
  });
});
