import {
  HpoError,
  NO_TRIAL_COUNTS,
  parseSweepSpec,
  type SweepRecord,
  type TrialRecord,
  type TrialState,
} from "@hpo/core";
import { describe, expect, it } from "vitest";
import type { ApiClient } from "./api-client.ts";
import type { CliContext } from "./context.ts";
import { watchSweep } from "./watch-sweep.ts";

const spec = parseSweepSpec({
  name: "w",
  method: "grid",
  dataset: "iris",
  parameters: { batch_size: { values: [8, 16] } },
});
const counts = (c: Partial<Record<TrialState, number>>) => ({ ...NO_TRIAL_COUNTS, ...c });
const sweep = (status: SweepRecord["status"], c: Partial<Record<TrialState, number>>): SweepRecord => ({
  id: "s1",
  name: "w",
  spec,
  status,
  createdAt: Date.now() - 1000,
  proposed: 2,
  counts: counts(c),
  ...(status === "completed" ? { finishedAt: Date.now(), best: { trialId: "t0001", mean: 0.9, std: 0.01 } } : {}),
});
const trial = (index: number, mean: number): TrialRecord => ({
  sweepId: "s1",
  id: `t000${index}`,
  index,
  params: { batch_size: 8 * (index + 1) },
  state: "completed",
  folds: [{ fold: 0, score: mean, metrics: {}, epochs: 1, durationMs: 1 }],
  mean,
  std: 0.01,
  createdAt: 0,
  flags: [],
});

function fakeContext(): { ctx: CliContext; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    ctx: {
      env: {},
      cwd: "/",
      out: (l) => out.push(l),
      err: (l) => err.push(l),
      errRaw: (t) => err.push(t),
      interactive: false,
      columns: () => 80,
    },
  };
}

/** A client whose getSweep answers from a script of snapshots or errors. */
function scriptedClient(script: (SweepRecord | Error)[]): ApiClient {
  let i = 0;
  return {
    url: "http://fake",
    getSweep: async () => {
      const next = script[Math.min(i++, script.length - 1)] as SweepRecord | Error;
      if (next instanceof Error) throw next;
      return next;
    },
    listAllTrials: async () => [trial(0, 0.8), trial(1, 0.9)],
  } as unknown as ApiClient;
}

describe("watchSweep", () => {
  it("prints a progress line when it changes, then the summary and leaderboard", async () => {
    const { ctx, out, err } = fakeContext();
    const client = scriptedClient([
      sweep("running", { running: 2 }),
      sweep("running", { running: 2 }),
      sweep("running", { running: 1, completed: 1 }),
      sweep("completed", { completed: 2 }),
    ]);
    const final = await watchSweep(ctx, client, "s1", { intervalMs: 1 });
    expect(final.status).toBe("completed");
    expect(err.map((l) => l.split(" trials")[0])).toEqual([
      "[░░░░░░░░░░░░░░░░░░░░░░░░] 0/2",
      "[████████████░░░░░░░░░░░░] 1/2",
      "[████████████████████████] 2/2",
    ]);
    expect(out[0]).toContain('sweep s1 "w": completed');
    expect(out[1]).toMatch(/│ 1 +│ t0001 .*0\.9000 ± 0\.0100/);
  });

  it("keeps going while the coordinator is briefly unreachable (a restart)", async () => {
    const { ctx, out, err } = fakeContext();
    const down = new HpoError("UNAVAILABLE", "cannot reach the coordinator");
    const client = scriptedClient([sweep("running", { running: 2 }), down, down, sweep("completed", { completed: 2 })]);
    await watchSweep(ctx, client, "s1", { intervalMs: 1, unreachableMs: 10_000 });
    expect(err.some((l) => l.includes("coordinator unreachable, retrying"))).toBe(true);
    expect(out[0]).toContain("completed");
  });

  it("gives up once the coordinator stays unreachable longer than allowed", async () => {
    const { ctx } = fakeContext();
    const down = new HpoError("UNAVAILABLE", "cannot reach the coordinator");
    const client = scriptedClient([sweep("running", { running: 2 }), down]);
    await expect(watchSweep(ctx, client, "s1", { intervalMs: 5, unreachableMs: 30 })).rejects.toThrow(
      "cannot reach the coordinator",
    );
  });

  it("fails at once on other errors (unknown sweep)", async () => {
    const { ctx } = fakeContext();
    const client = scriptedClient([new HpoError("NOT_FOUND", 'sweep "s1" not found')]);
    await expect(watchSweep(ctx, client, "s1", { intervalMs: 1 })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("stops watching when aborted and leaves the sweep alone", async () => {
    const { ctx, out } = fakeContext();
    const stop = new AbortController();
    stop.abort();
    const final = await watchSweep(ctx, scriptedClient([sweep("running", { running: 2 })]), "s1", {
      intervalMs: 1,
      signal: stop.signal,
    });
    expect(final.status).toBe("running");
    expect(out).toEqual([]);
  });
});
