import { Command } from "commander";
import { parsePositiveInt } from "../arg-parsers.ts";
import { type CliContext, clientFor } from "../context.ts";
import { renderFailures, renderLeaderboard, renderSweepSummary } from "../format/leaderboard.ts";
import { statusJson } from "../json-output.ts";

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
