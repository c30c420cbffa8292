import Table from "cli-table3";
import { Command } from "commander";
import { parsePositiveInt } from "../arg-parsers.ts";
import { type CliContext, clientFor } from "../context.ts";
import { formatDuration } from "../format/duration.ts";
import { formatScore } from "../format/params.ts";
import { progressOf } from "../format/progress.ts";

/** `hpo ls [--json]`: the sweeps, newest first. */
export function lsCommand(ctx: CliContext): Command {
  return new Command("ls")
    .description("list sweeps, newest first")
    .option("--json", "print a JSON array of sweeps (each with id, name, status, counts, best, spec)")
    .option("--limit <n>", "how many sweeps", parsePositiveInt, 50)
    .action(async (opts: { json?: boolean; limit: number }, cmd: Command) => {
      const page = await clientFor(ctx, cmd).listSweeps({ limit: opts.limit });
      if (opts.json) {
        ctx.out(JSON.stringify(page.items, null, 2));
        return;
      }
      if (page.items.length === 0) {
        ctx.out("no sweeps yet: submit one with `pnpm hpo submit examples/demo.yaml`");
        return;
      }
      const table = new Table({
        head: ["id", "name", "status", "trials", "best (mean ± std)", "created", "wall"],
        style: { head: ctx.interactive ? ["cyan"] : [], border: [], compact: true },
      });
      const now = Date.now();
      for (const s of page.items) {
        const p = progressOf(s, now);
        table.push([
          s.id,
          s.name,
          s.status,
          `${p.done}/${p.total}`,
          s.best ? `${s.spec.metric.name} ${formatScore(s.best.mean)} ± ${formatScore(s.best.std)}` : "-",
          new Date(s.createdAt).toISOString().replace("T", " ").slice(0, 19),
          formatDuration(p.elapsedMs),
        ]);
      }
      ctx.out(table.toString());
      if (page.total > page.items.length) ctx.err(`showing ${page.items.length} of ${page.total} (use --limit)`);
    });
}
