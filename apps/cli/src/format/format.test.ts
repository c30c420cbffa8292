import type { FoldResult, SweepRecord, TrialRecord, TrialState } from "@hpo/core";
import { NO_TRIAL_COUNTS, parseSweepSpec } from "@hpo/core";
import { describe, expect, it } from "vitest";
import { budgetSummary } from "./budget.ts";
import { formatDuration } from "./duration.ts";
import {
  cvLabel,
  formatFold,
  renderFailures,
  renderLeaderboard,
  renderSweepSummary,
  renderTestScore,
  TIE_MARK,
} from "./leaderboard.ts";
import { formatParams, formatValue } from "./params.ts";
import { expectedTrials, progressOf, renderProgress } from "./progress.ts";
import { rankTrials } from "./ranking.ts";

const spec = parseSweepSpec({
  name: "t",
  method: "grid",
  dataset: "iris",
  cv: { folds: 3 },
  budget: { max_trials: 50 },
  parameters: {
    batch_size: { values: [16, 32] },
    optimizer: { values: ["adam", "sgd"] },
    dropout: { values: [0, 0.2] },
  },
});

const counts = (c: Partial<Record<TrialState, number>>) => ({ ...NO_TRIAL_COUNTS, ...c });

/** A completed sweep "s1" of `spec` created at 0 with trial counts `c` (proposed: their sum), `more` on top. */
const sweepOf = (c: Partial<Record<TrialState, number>>, more: Partial<SweepRecord> = {}): SweepRecord =>
  ({
    id: "s1",
    name: "t",
    spec,
    status: "completed",
    createdAt: 0,
    proposed: Object.values(c).reduce((a, b) => a + b, 0),
    counts: counts(c),
    ...more,
  }) as SweepRecord;

function trial(index: number, state: TrialState, scores: number[], mean?: number): TrialRecord {
  const folds: FoldResult[] = scores.map((score, fold) => ({ fold, score, metrics: {}, epochs: 2, durationMs: 10 }));
  return {
    sweepId: "s1",
    id: `t${String(index).padStart(4, "0")}`,
    index,
    params: { batch_size: 16 * (index + 1), optimizer: "adam" },
    state,
    folds: [...folds].reverse(),
    ...(mean !== undefined ? { mean, std: 0.01, sem: 0.005 } : {}),
    createdAt: 0,
    durationMs: 1500,
    flags: [],
  };
}

describe("rankTrials", () => {
  const trials = [
    trial(0, "completed", [0.8], 0.8),
    trial(1, "running", []),
    trial(2, "completed", [0.9], 0.9),
    trial(3, "completed", [0.7], 0.7),
  ];
  it("puts the best mean first for maximize and last for minimize; unscored trials last", () => {
    expect(rankTrials(trials, "maximize").map((t) => t.id)).toEqual(["t0002", "t0000", "t0003", "t0001"]);
    expect(rankTrials(trials, "minimize").map((t) => t.id)).toEqual(["t0003", "t0000", "t0002", "t0001"]);
  });
});

describe("renderLeaderboard", () => {
  it("shows rank, params, mean ± std and per-fold scores by fold number", () => {
    const sweep = sweepOf({ completed: 2 });
    const out = renderLeaderboard(sweep, [
      trial(0, "completed", [0.5, 0.6, 0.7], 0.6),
      trial(1, "completed", [0.9, 0.8, 0.7], 0.8),
    ]);
    const rows = out.split("\n").filter((l) => l.includes("t000"));
    expect(rows[0]).toMatch(/1 .*t0001 .*32 .*adam .*0\.8000 ± 0\.0100 .*0\.900 0\.800 0\.700 .*completed .*1\.5s/);
    expect(rows[1]).toMatch(/2 .*t0000 .*0\.6000 ± 0\.0100 .*0\.500 0\.600 0\.700/);
    expect(out).toContain("val_accuracy (max) mean ± std");
    expect(out).toContain("folds (k=3)");
    const top = renderLeaderboard(sweep, [trial(0, "completed", [0.5], 0.6), trial(1, "completed", [0.9], 0.8)], {
      limit: 1,
    });
    expect(top).toContain("t0001");
    expect(top).not.toContain("t0000");
    expect(top).toContain("(1 more trial not shown)");
  });
});

describe("the leaderboard's CI column and tie marks", () => {
  const sweep = sweepOf(
    { completed: 3 },
    { best: { trialId: "t0001", mean: 0.8, std: 0.01, ciLow: 0.7512, ciHigh: 0.8488 } },
  );
  const trials = [
    { ...trial(0, "completed", [0.6, 0.6, 0.6], 0.6), ciLow: 0.5, ciHigh: 0.7, pBest: 0.001, tied: false },
    { ...trial(1, "completed", [0.8, 0.8, 0.8], 0.8), ciLow: 0.7512, ciHigh: 0.8488, pBest: 1, tied: true },
    { ...trial(2, "completed", [0.79, 0.8, 0.78], 0.79), ciLow: 0.74, ciHigh: 0.84, pBest: 0.4, tied: true },
    trial(3, "running", []),
  ];

  it("marks tied trials in the rank column, shows each CI, and explains the mark once", () => {
    const out = renderLeaderboard(sweep, trials);
    const row = (id: string) => out.split("\n").find((l) => l.includes(id)) ?? "";
    expect(out).toContain("95% CI");
    expect(row("t0001")).toMatch(new RegExp(`1 ${TIE_MARK} .*0\\.8000 ± 0\\.0100 .*\\[0\\.7512, 0\\.8488\\]`));
    expect(row("t0002")).toMatch(new RegExp(`2 ${TIE_MARK} .*\\[0\\.7400, 0\\.8400\\]`));
    expect(row("t0000")).not.toContain(TIE_MARK);
    expect(row("t0000")).toContain("[0.5000, 0.7000]");
    expect(row("t0003")).not.toContain(TIE_MARK);
    expect(out).toContain(`${TIE_MARK} tied with the best (2 trials, the best included): not distinguishable`);
    expect(renderSweepSummary(sweep)).toContain("best: t0001 val_accuracy 0.8000 ± 0.0100, 95% CI [0.7512, 0.8488]");
    const selecting = {
      ...sweep,
      status: "running",
      spec: { ...spec, select: { top: 2, repeats: 3 } },
      selection: ["t0001", "t0002"],
    };
    expect(renderSweepSummary(selecting as SweepRecord)).toContain(
      "final selection: t0001 t0002 re-evaluated with 3 more repeats (running)",
    );
  });

  it("has no legend when no trial carries a tie (an older coordinator)", () => {
    const out = renderLeaderboard({ ...sweep, best: { trialId: "t0001", mean: 0.8, std: 0.01 } }, [
      trial(0, "completed", [0.6], 0.6),
    ]);
    expect(out).not.toContain("tied with the best");
    expect(out.split("\n").find((l) => l.includes("t0000"))).toMatch(/0\.6000 ± 0\.0100 +│ - /);
  });
});

describe("budgetSummary", () => {
  it("states the search's fold runs and the final selection's share up front", () => {
    expect(budgetSummary(spec)).toBe("up to 8 trials × 3 folds = 24 fold runs");
    const select = { ...spec, cv: { ...spec.cv, repeats: 2 }, select: { top: 3, repeats: 2 } };
    expect(budgetSummary(select)).toBe(
      "up to 8 trials × 6 folds = 48 fold runs; final selection: top 3 × 2 more repeats × 3 folds = 18 more (+38%)",
    );
    expect(budgetSummary({ ...spec, cv: { ...spec.cv, test_fraction: 0.2 } })).toBe(
      "up to 8 trials × 3 folds = 24 fold runs; test split: 20% of the rows held out, the winner refit once on the rest and scored on them",
    );
  });
});

describe("cvLabel", () => {
  it("names repeated K-fold and its fold count", () => {
    expect(cvLabel({ folds: 5, stratified: true, seed: 0 })).toBe("5-fold stratified CV");
    expect(cvLabel({ folds: 5, stratified: false, seed: 0, repeats: 3 })).toBe("3 × 5-fold CV (15 folds per trial)");
  });
});

describe("renderTestScore", () => {
  const sweep: SweepRecord = {
    id: "s1",
    name: "t",
    spec,
    status: "completed",
    createdAt: 0,
    finishedAt: 1000,
    proposed: 2,
    counts: counts({ completed: 2 }),
    best: { trialId: "t0001", mean: 0.97, std: 0.01 },
  };
  const base = { trialId: "t0001", metric: "val_accuracy" };

  it("shows the winner's test score beside the selection score, in the summary", () => {
    const done = { ...sweep, test: { ...base, state: "done" as const, score: 0.9333, rows: 30 } };
    expect(renderTestScore(done)).toBe(
      "test: t0001 val_accuracy 0.9333 on 30 held-out rows (refit on all other rows; best above is the K-fold selection score)",
    );
    const lines = renderSweepSummary(done).split("\n");
    expect(lines[lines.indexOf("best: t0001 val_accuracy 0.9700 ± 0.0100") + 1]).toBe(renderTestScore(done));
  });

  it("says when the refit runs or failed, and nothing without a test split", () => {
    expect(renderTestScore({ ...sweep, test: { ...base, state: "pending" } })).toMatch(/^test: refitting t0001/);
    expect(renderTestScore({ ...sweep, test: { ...base, state: "failed", error: "no such file\nstack" } })).toBe(
      "test: the refit of t0001 failed: no such file",
    );
    expect(renderTestScore(sweep)).toBe("");
    expect(renderSweepSummary(sweep)).not.toMatch(/test:/);
  });
});

describe("renderFailures", () => {
  it("lists failed trials with the first line of their error, and nothing when none failed", () => {
    const failed = { ...trial(3, "failed", []), error: 'dataset "x.csv" not found\nstack...' };
    expect(renderFailures([trial(0, "completed", [0.9], 0.9), failed])).toBe(
      '1 trial failed:\n  t0003 failed: dataset "x.csv" not found',
    );
    expect(renderFailures([trial(0, "completed", [0.9], 0.9)])).toBe("");
  });
});

describe("progress", () => {
  it("counts a grid's points as the total and estimates the time left", () => {
    expect(expectedTrials(spec)).toBe(8);
    const sweep = sweepOf(
      { completed: 2, running: 2 },
      { status: "running", createdAt: 1_000, best: { trialId: "t0001", mean: 0.95, std: 0.01 } },
    );
    const p = progressOf(sweep, 21_000);
    expect(p).toMatchObject({ done: 2, total: 8, running: 2, elapsedMs: 20_000, etaMs: 60_000 });
    expect(renderProgress(p, "val_accuracy")).toBe(
      "[██████░░░░░░░░░░░░░░░░░░] 2/8 trials · 2 running · best val_accuracy 0.9500 ± 0.0100 (t0001) · 20.0s · ETA 1m 00s",
    );
    // Narrow terminals get a shorter line that keeps the counts, the best score and the ETA.
    const narrow = renderProgress(p, "val_accuracy", 79);
    expect([...narrow].length).toBeLessThanOrEqual(79);
    expect(narrow).toBe("[███░░░░░░░] 2/8 · 2 running · best 0.9500 ± 0.0100 · ETA 1m 00s");
    expect(renderProgress(p, "val_accuracy", 40)).toBe("2/8 · 2 run · best 0.9500 ± 0.0100 · ETA 1m 00s");
  });
  it("has no ETA before the first trial finishes nor after the end", () => {
    const base = { id: "s", name: "t", spec, createdAt: 0, proposed: 8 } as const;
    expect(
      progressOf({ ...base, status: "running", counts: counts({ running: 2 }) } as SweepRecord, 5).etaMs,
    ).toBeUndefined();
    const over = progressOf(
      { ...base, status: "cancelled", finishedAt: 10, counts: counts({ completed: 3, cancelled: 5 }) } as SweepRecord,
      99,
    );
    expect(over).toMatchObject({ done: 8, total: 8, elapsedMs: 10 });
    expect(over.etaMs).toBeUndefined();
  });
});

describe("value formatting", () => {
  it("keeps parameters short and readable", () => {
    expect(formatValue(0.001)).toBe("0.001");
    expect(formatValue(0.000123456)).toBe("1.235e-4");
    expect(formatValue(0.30000000000000004)).toBe("0.3");
    expect(formatValue([128, 64])).toBe("[128,64]");
    expect(formatParams({ optimizer: "adam", batch_size: 32 })).toBe("batch_size=32 optimizer=adam");
  });
  it("keeps 3 significant digits of small fold scores (losses)", () => {
    expect(formatFold(0.98125)).toBe("0.981");
    expect(formatFold(0.03784)).toBe("0.0378");
    expect(formatFold(12.5)).toBe("12.500");
    expect(formatFold(0)).toBe("0.000");
  });
  it("formats durations", () => {
    expect(formatDuration(850)).toBe("850ms");
    expect(formatDuration(12_340)).toBe("12.3s");
    expect(formatDuration(245_000)).toBe("4m 05s");
    expect(formatDuration(3_720_000)).toBe("1h 02m");
    expect(formatDuration(undefined)).toBe("-");
  });
});
