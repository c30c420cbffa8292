import { Command } from "commander";
import { type CliContext, clientFor } from "../context.ts";

/** `hpo cancel <id>`: stops a sweep (queued trials are dropped, running ones aborted). */
export function cancelCommand(ctx: CliContext): Command {
  return new Command("cancel")
    .description("cancel a sweep: queued trials are dropped and running trials stopped")
    .argument("<id>", "sweep id")
    .option("--json", "print the sweep record after cancellation as JSON")
    .action(async (id: string, opts: { json?: boolean }, cmd: Command) => {
      const sweep = await clientFor(ctx, cmd).cancelSweep(id);
      if (opts.json) ctx.out(JSON.stringify(sweep, null, 2));
      else ctx.out(`sweep ${sweep.id}: ${sweep.status}`);
    });
}
