import { Command } from "commander";
import { type CliContext, clientFor } from "../context.ts";

/** `hpo resume <id>`: runs a cancelled sweep again (its cancelled trials are queued again). */
export function resumeCommand(ctx: CliContext): Command {
  return new Command("resume")
    .description("resume a cancelled sweep: its cancelled trials run again, then it goes on within its budget")
    .argument("<id>", "sweep id")
    .option("--json", "print the sweep record as JSON")
    .action(async (id: string, opts: { json?: boolean }, cmd: Command) => {
      const sweep = await clientFor(ctx, cmd).resumeSweep(id);
      if (opts.json) ctx.out(JSON.stringify(sweep, null, 2));
      else ctx.out(`sweep ${sweep.id}: ${sweep.status} (${sweep.counts.queued} trials queued again)`);
    });
}
