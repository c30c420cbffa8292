import { HpoError } from "@hpo/core";
import { Command } from "commander";
import type { ApiClient } from "../api-client.ts";
import { parsePositiveInt } from "../arg-parsers.ts";
import { type CliContext, clientFor } from "../context.ts";
import { watchEvents } from "../watch-events.ts";
import { watchSweep } from "../watch-sweep.ts";

/**
 * `hpo watch <id> [--json]`: live progress until the sweep ends, then the leaderboard; with
 * `--json`, JSON lines of events instead (see watch-events.ts).
 */
export function watchCommand(ctx: CliContext): Command {
  return new Command("watch")
    .description("follow a sweep with a live progress line; prints the leaderboard when it ends")
    .argument("<id>", "sweep id")
    .option("--interval <ms>", "poll period in ms", parsePositiveInt, 1000)
    .option("--top <n>", "show only the best n trials in the final leaderboard", parsePositiveInt)
    .option("--json", "print one JSON object per line per event (progress, trial finished, sweep ended) instead")
    .action(async (id: string, opts: { interval: number; top?: number; json?: boolean }, cmd: Command) => {
      await finishWatch(ctx, clientFor(ctx, cmd), id, opts.interval, opts.top, opts.json);
    });
}

/**
 * Watches until the end (`json`: event lines, see watch-events.ts); Ctrl-C stops watching only
 * (the sweep goes on). Throws HpoError TRAINING_FAILED (exit 1) when the sweep ends as failed.
 */
export async function finishWatch(
  ctx: CliContext,
  client: ApiClient,
  id: string,
  intervalMs: number,
  top?: number,
  json = false,
): Promise<void> {
  const stop = new AbortController();
  const onSigint = () => stop.abort();
  process.once("SIGINT", onSigint);
  try {
    const options = { intervalMs, signal: stop.signal, ...(top ? { top } : {}) };
    const sweep = json ? await watchEvents(ctx, client, id, options) : await watchSweep(ctx, client, id, options);
    if (sweep.status === "running") {
      ctx.err(`stopped watching; sweep ${id} goes on (stop it with: pnpm hpo cancel ${id})`);
    } else if (sweep.status === "failed") {
      throw new HpoError("TRAINING_FAILED", `sweep ${id} failed${sweep.reason ? `: ${sweep.reason}` : ""}`);
    }
  } finally {
    process.removeListener("SIGINT", onSigint);
  }
}
