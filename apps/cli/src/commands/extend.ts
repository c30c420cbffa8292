import { Command, InvalidArgumentError } from "commander";
import { type CliContext, clientFor } from "../context.ts";

const positiveInt = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected an integer >= 1, got "${v}"`);
  return n;
};
const positive = (v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a number > 0, got "${v}"`);
  return n;
};

/** `hpo extend <id> --trials n [--seconds s]`: grows a sweep's budget; a completed sweep runs again. */
export function extendCommand(ctx: CliContext): Command {
  return new Command("extend")
    .description("add trials (and/or seconds) to a sweep's budget; a completed sweep runs again")
    .argument("<id>", "sweep id")
    .option("--trials <n>", "trials to add to budget.max_trials", positiveInt)
    .option("--seconds <s>", "seconds to add to budget.max_seconds", positive)
    .option("--json", "print the sweep record as JSON")
    .action(async (id: string, opts: { trials?: number; seconds?: number; json?: boolean }, cmd: Command) => {
      if (opts.trials === undefined && opts.seconds === undefined) {
        cmd.error("error: give --trials <n> and/or --seconds <s>", { exitCode: 2 });
      }
      const sweep = await clientFor(ctx, cmd).extendSweep(id, {
        ...(opts.trials !== undefined && { trials: opts.trials }),
        ...(opts.seconds !== undefined && { seconds: opts.seconds }),
      });
      if (opts.json) ctx.out(JSON.stringify(sweep, null, 2));
      else ctx.out(`sweep ${sweep.id}: ${sweep.status}, max_trials ${sweep.spec.budget.max_trials}`);
    });
}
