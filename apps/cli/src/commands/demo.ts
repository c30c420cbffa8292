import { createWriteStream, mkdirSync } from "node:fs";
import { join, relative } from "node:path";
import { HpoError, type SweepRecord, sweepSubject } from "@hpo/core";
import { Command } from "commander";
import { ApiClient } from "../api-client.ts";
import { parsePort, parsePositiveInt } from "../arg-parsers.ts";
import { CONFIG_DIR } from "../config.ts";
import type { CliContext } from "../context.ts";
import { EXIT } from "../exit-code.ts";
import { parseLogLine, prefixLine } from "../format/log-line.ts";
import { expectedTrials } from "../format/progress.ts";
import { freePort, portIsFree } from "../net-utils.ts";
import { onStopSignals } from "../signals.ts";
import { readSweepFile } from "../spec-file.ts";
import { REPO_ROOT, type Stack, startStack } from "../stack.ts";
import { watchSweep } from "../watch-sweep.ts";

/**
 * `hpo demo`: `up` with 2 workers + submit examples/demo.yaml + watch + leaderboard, then stops
 * the stack. Exits 0 when the sweep completed. Child logs go to `.hpo/logs/demo-*.log`.
 */
export function demoCommand(ctx: CliContext): Command {
  return new Command("demo")
    .description("start a local stack, run examples/demo.yaml on it, print the leaderboard, stop the stack")
    .option("-w, --workers <n>", "number of worker processes", parsePositiveInt, 2)
    .option("-f, --file <file>", "sweep file to run instead of examples/demo.yaml")
    .option("-p, --port <port>", "coordinator port (default: 8080, or a free port when 8080 is taken)", parsePort)
    .action(async (opts: { workers: number; file?: string; port?: number }) => {
      process.exitCode = await runDemo(
        ctx,
        opts.workers,
        opts.file ?? join(REPO_ROOT, "examples/demo.yaml"),
        opts.port,
      );
    });
}

async function runDemo(ctx: CliContext, workers: number, file: string, fixedPort?: number): Promise<number> {
  const { text, format, spec } = readSweepFile(file);
  const logDir = join(ctx.cwd, CONFIG_DIR, "logs");
  mkdirSync(logDir, { recursive: true });
  const logPath = join(logDir, `demo-${new Date().toISOString().replace(/[:.]/g, "-")}.log`);
  const log = createWriteStream(logPath);
  const shownLog = relative(ctx.cwd, logPath);

  // Ctrl-C: while starting, abort the start; while watching, stop watching, cancel the sweep and
  // stop the stack; a second Ctrl-C (a second later) kills everything.
  const stop = new AbortController();
  let stack: Stack | undefined;
  let firstSignalAt = 0;
  const removeHandlers = onStopSignals(() => {
    const now = Date.now();
    if (firstSignalAt === 0) {
      firstSignalAt = now;
      stop.abort();
    } else if (now - firstSignalAt > 1_000) {
      stack?.kill();
      process.exit(130);
    }
  });
  const interrupted = () => firstSignalAt !== 0;

  let sweep: SweepRecord | undefined;
  try {
    const port = fixedPort ?? ((await portIsFree(8080)) ? 8080 : await freePort());
    ctx.err(`hpo demo: starting Redis (if needed), the coordinator and ${workers} workers; logs in ${shownLog}`);
    try {
      stack = await startStack({
        workers,
        port,
        cwd: ctx.cwd,
        env: ctx.env,
        tokenMode: "ephemeral",
        signal: stop.signal,
        onLine: (name, line) => {
          const parsed = parseLogLine(line);
          log.write(`${prefixLine(name, parsed.text, false)}\n`);
          // Errors, and the backend each worker picked, are worth seeing live.
          if ((parsed.level ?? 0) >= 50 || (name.startsWith("worker") && /backend selected/i.test(parsed.text))) {
            ctx.err(prefixLine(name, parsed.text, ctx.interactive));
          }
        },
        notice: (line) => {
          log.write(`[hpo] ${line}\n`);
          ctx.err(`hpo: ${line}`);
        },
      });
    } catch (e) {
      if (interrupted()) {
        ctx.err("hpo demo: interrupted while starting; everything started so far is stopped");
        return 130;
      }
      throw e;
    }
    let crashed = false;
    void stack.coordinatorExited.then(() => {
      crashed = true;
      stop.abort();
    });

    ctx.err(
      `hpo demo: coordinator ready at ${stack.url}${stack.dashboardUrl ? `; watch it in a browser at ${stack.dashboardUrl}` : ""}`,
    );
    const client = new ApiClient({ url: stack.url, token: stack.token });
    sweep = await client.createSweep(text, format);
    ctx.err(
      `hpo demo: sweep ${sweep.id} "${sweep.name}": ${spec.method} search, ${expectedTrials(sweep.spec)} trials × ${spec.cv.folds}-fold CV on ${sweepSubject(spec)}, ${workers} workers`,
    );
    sweep = await watchSweep(ctx, client, sweep.id, { signal: stop.signal });
    if (crashed) throw new HpoError("INTERNAL", `hpo demo: the coordinator stopped; see ${shownLog}`);
    if (interrupted()) {
      await client.cancelSweep(sweep.id).catch(() => undefined);
      ctx.err(`hpo demo: interrupted; sweep ${sweep.id} cancelled`);
      return 130;
    }
  } finally {
    if (stack) {
      ctx.err("hpo demo: stopping the stack");
      await stack.close();
    }
    removeHandlers();
    await new Promise((r) => log.end(r));
  }
  if (sweep.status !== "completed") {
    ctx.err(
      `hpo demo: the sweep ended as ${sweep.status}${sweep.reason ? ` (${sweep.reason})` : ""}; logs in ${shownLog}`,
    );
    return EXIT.FAILURE;
  }
  ctx.err(`hpo demo: done. Logs in ${shownLog}. Run your own: pnpm hpo up, then pnpm hpo submit <file> --watch`);
  return EXIT.OK;
}
