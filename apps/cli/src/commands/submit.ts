import { Command } from "commander";
import { parsePositiveInt } from "../arg-parsers.ts";
import { type CliContext, clientFor } from "../context.ts";
import { budgetSummary } from "../format/budget.ts";
import { formatWarnings, readSweepFile } from "../spec-file.ts";
import { finishWatch } from "./watch.ts";

/** `hpo submit <file> [--watch]`: validates the file locally, creates the sweep, prints its id on stdout. */
export function submitCommand(ctx: CliContext): Command {
  return new Command("submit")
    .description("validate a sweep file (YAML or JSON) and submit it; prints the sweep id")
    .argument("<file>", "sweep file, e.g. examples/demo.yaml")
    .option("-w, --watch", "follow the sweep until it ends, then print the leaderboard")
    .option("--interval <ms>", "poll period of --watch in ms", parsePositiveInt, 1000)
    .action(async (file: string, opts: { watch?: boolean; interval: number }, cmd: Command) => {
      const client = clientFor(ctx, cmd);
      const sweepFile = readSweepFile(file);
      const { text, format, spec } = sweepFile;
      for (const line of formatWarnings(sweepFile)) ctx.err(line);
      const sweep = await client.createSweep(text, format);
      ctx.out(sweep.id);
      ctx.err(`submitted sweep "${sweep.name}" (${spec.method}, ${budgetSummary(sweep.spec)}) to ${client.url}`);
      if (opts.watch) await finishWatch(ctx, client, sweep.id, opts.interval);
      else ctx.err(`follow it with: pnpm hpo watch ${sweep.id}`);
    });
}
