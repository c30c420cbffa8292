import type { SweepRecord, TrialRecord, TrialState } from "@hpo/core";
import type { TrialScan, TrialScanRow } from "@hpo/store";
import { beforeAll, describe, expect, it } from "vitest";
import { evaluate, parseFilter, parseLeaderboardQuery } from "./leaderboard-query.ts";
import { createSweepTable } from "./sweep-table.ts";

const trial = (
  index: number,
  state: TrialState,
  mean: number | undefined,
  params: TrialRecord["params"],
  flags: string[] = [],
): TrialRecord => ({
  sweepId: "s",
  id: `t${String(index).padStart(4, "0")}`,
  index,
  params,
  state,
  folds:
    mean === undefined
      ? []
      : [0, 1, 2].map((k) => ({
          fold: k,
          score: mean + (k - 1) * 0.01 * index,
          metrics: {},
          epochs: 1,
          durationMs: 1,
        })),
  ...(mean !== undefined && { mean, std: 0.01 * index, sem: 0.005 * index }),
  createdAt: 0,
  flags,
});

const trials = [
  trial(0, "completed", 0.8, { lr: 0.1, opt: "adam" }),
  trial(1, "completed", 0.9, { lr: 0.01, opt: "sgd" }, ["overfitting"]),
  trial(2, "pruned", undefined, { lr: 0.001, opt: "adam" }),
  trial(3, "completed", 0.7, { lr: 0.05, opt: "rmsprop" }),
  trial(4, "running", undefined, { lr: 0.2, opt: "sgd" }),
];
const rows: TrialScanRow[] = trials.map((t) => ({ ...t, foldScores: t.folds.map((f) => f.score) }));
const scan: TrialScan = {
  range: async (_s, offset, count) => rows.slice(offset, offset + count),
  byIds: async (_s, ids) => rows.filter((r) => ids.includes(r.id)),
  idsInState: async (_s, state) => rows.filter((r) => r.state === state).map((r) => r.id),
};
const sweep = {
  id: "s",
  proposed: 5,
  counts: {},
  status: "running",
  spec: { cv: { folds: 3 }, parameters: { lr: {}, opt: {} } },
} as unknown as SweepRecord;
const table = createSweepTable(scan, sweep);
beforeAll(() => table.sync(sweep));
const ids = async (q: Record<string, string>, goal: "maximize" | "minimize" = "maximize") =>
  Array.from((await evaluate(table, parseLeaderboardQuery(q), goal)).order, (i) => trials[i]?.id);

describe("leaderboard query", () => {
  it("sorts by score best first under the goal, trials without a score last", async () => {
    expect(await ids({})).toEqual(["t0001", "t0000", "t0003", "t0002", "t0004"]);
    expect(await ids({}, "minimize")).toEqual(["t0003", "t0000", "t0001", "t0002", "t0004"]);
    expect(await ids({ dir: "asc" })).toEqual(["t0003", "t0000", "t0001", "t0002", "t0004"]);
  });

  it("sorts by a numeric or categorical param in both directions", async () => {
    expect(await ids({ sort: "p:lr" })).toEqual(["t0002", "t0001", "t0003", "t0000", "t0004"]);
    expect(await ids({ sort: "p:lr", dir: "desc" })).toEqual(["t0004", "t0000", "t0003", "t0001", "t0002"]);
    expect(await ids({ sort: "p:opt" })).toEqual(["t0000", "t0002", "t0003", "t0001", "t0004"]);
  });

  it("sorts by a fold's score and by std, missing last", async () => {
    expect(await ids({ sort: "f:2", dir: "desc" })).toEqual(["t0001", "t0000", "t0003", "t0002", "t0004"]);
    expect(await ids({ sort: "std" })).toEqual(["t0000", "t0001", "t0003", "t0002", "t0004"]);
  });

  it("filters by state, flag and param clauses", async () => {
    expect(await ids({ state: "completed,pruned", sort: "index" })).toEqual(["t0000", "t0001", "t0002", "t0003"]);
    expect(await ids({ flag: "overfitting" })).toEqual(["t0001"]);
    expect(await ids({ flag: "pruned" })).toEqual(["t0002"]);
    expect(await ids({ filter: "lr<0.06 opt!=adam" })).toEqual(["t0001", "t0003"]);
    expect(await ids({ filter: "mean>=0.8" })).toEqual(["t0001", "t0000"]);
    expect(await ids({ filter: "rmsprop" })).toEqual(["t0003"]);
  });

  it("rejects unknown columns and bad parameters with messages naming them", () => {
    expect(() => parseFilter("nosuch<1", table)).toThrow(/unknown column "nosuch"/);
    expect(() => parseLeaderboardQuery({ sort: "bogus" })).toThrow(/sort must be/);
    expect(() => parseLeaderboardQuery({ state: "done" })).toThrow(/state must be among/);
    expect(() => parseLeaderboardQuery({ limit: "5000" })).toThrow(/limit must be an integer/);
  });
});
