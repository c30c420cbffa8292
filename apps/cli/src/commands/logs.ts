import type { TrialLogLine } from "@hpo/core";
import { Command } from "commander";
import { type CliContext, clientFor } from "../context.ts";

/** One log line as text: `2026-11-28T04:20:01.123Z INFO  w1  trial started attempt=1 params={"lr":0.01}`. */
export function formatLogLine(line: TrialLogLine): string {
  const fields = Object.entries(line.fields ?? {})
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(" ");
  const head = `${new Date(line.time).toISOString()} ${line.level.toUpperCase().padEnd(5)} ${line.worker}  ${line.message}`;
  return fields ? `${head} ${fields}` : head;
}

/** `hpo logs <sweep> <trial> [--json]`: what the workers logged about a trial (kept in Redis). */
export function logsCommand(ctx: CliContext): Command {
  return new Command("logs")
    .description("show what the workers logged about a trial (start, attempts, hand-backs, outcome, errors)")
    .argument("<id>", "sweep id")
    .argument("<trial>", "trial id, e.g. t0003")
    .option("--json", "print the log lines as JSON")
    .action(async (id: string, trial: string, opts: { json?: boolean }, cmd: Command) => {
      const lines = await clientFor(ctx, cmd).getTrialLog(id, trial);
      if (opts.json) ctx.out(JSON.stringify(lines, null, 2));
      else if (lines.length === 0) ctx.out(`trial ${trial} of sweep ${id}: nothing logged yet`);
      else ctx.out(lines.map(formatLogLine).join("\n"));
    });
}
