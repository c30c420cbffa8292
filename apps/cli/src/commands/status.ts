import type { SweepRecord, TrialRecord } from "@hpo/core";
import { Command } from "commander";
import { parsePositiveInt } from "../arg-parsers.ts";
import { type CliContext, clientFor } from "../context.ts";
import { renderFailures, renderLeaderboard, renderSweepSummary } from "../format/leaderboard.ts";
import { foldScores, rankTrials } from "../format/ranking.ts";

/** One trial in `status --json`: the stable fields scripts rely on (absent numbers are null). */
export interface TrialJson {
  readonly id: string;
  readonly index: number;
  readonly params: TrialRecord["params"];
  readonly state: TrialRecord["state"];
  readonly mean: number | null;
  readonly std: number | null;
  readonly sem: number | null;
  /** Per-fold scores of the sweep metric, by fold number. */
  readonly folds: readonly number[];
  readonly durationMs: number | null;
  readonly prunedAt: number | null;
  readonly flags: readonly string[];
  readonly error: string | null;
}

/** The `status --json` document: the sweep record plus its trials, best first. */
export function statusJson(sweep: SweepRecord, trials: readonly TrialRecord[]): SweepRecord & { trials: TrialJson[] } {
  return {
    ...sweep,
    trials: rankTrials(trials, sweep.spec.metric.goal).map((t) => ({
      id: t.id,
      index: t.index,
      params: t.params,
      state: t.state,
      mean: t.mean ?? null,
      std: t.std ?? null,
      sem: t.sem ?? null,
      folds: foldScores(t),
      durationMs: t.durationMs ?? null,
      prunedAt: t.prunedAt ?? null,
      flags: t.flags ?? [],
      error: t.error ?? null,
    })),
  };
}

/** `hpo status <id> [--json]`: summary and leaderboard of a sweep. */
export function statusCommand(ctx: CliContext): Command {
  return new Command("status")
    .description("show a sweep and its leaderboard (rank, params, K-fold mean ± std, per-fold scores)")
    .argument("<id>", "sweep id")
    .option("--json", "print the sweep with its trials (best first) as JSON")
    .option("--top <n>", "show only the best n trials in the table", parsePositiveInt)
    .action(async (id: string, opts: { json?: boolean; top?: number }, cmd: Command) => {
      const client = clientFor(ctx, cmd);
      const sweep = await client.getSweep(id);
      const trials = await client.listAllTrials(id);
      if (opts.json) {
        ctx.out(JSON.stringify(statusJson(sweep, trials), null, 2));
        return;
      }
      ctx.out(renderSweepSummary(sweep));
      ctx.out(renderLeaderboard(sweep, trials, { color: ctx.interactive, ...(opts.top ? { limit: opts.top } : {}) }));
      const failures = renderFailures(trials);
      if (failures) ctx.out(failures);
    });
}
