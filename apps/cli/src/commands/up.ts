import { relative } from "node:path";
import { Command } from "commander";
import { parsePort, parsePositiveInt } from "../arg-parsers.ts";
import type { CliContext } from "../context.ts";
import { EXIT } from "../exit-code.ts";
import { parseLogLine, prefixLine } from "../format/log-line.ts";
import { onStopSignals } from "../signals.ts";
import { type Stack, startStack } from "../stack.ts";

/**
 * `hpo up [--workers N] [--port P] [--host H] [--monitor] [--gpus 0,1] [--slots N]`: the local stack
 * in the foreground until Ctrl-C or SIGTERM; `--monitor` adds a local Prometheus scraping the
 * coordinator and the workers; `--gpus`/`--slots` set how workers run program trials.
 */
export function upCommand(ctx: CliContext): Command {
  return new Command("up")
    .description("run a local stack in the foreground: Redis (found or started), the coordinator, N workers")
    .option("-w, --workers <n>", "number of worker processes", parsePositiveInt, 2)
    .option("-p, --port <port>", "coordinator port (default: HPO_PORT or 8080)", parsePort)
    .option("--host <host>", "coordinator host (default: HPO_HOST or 127.0.0.1)")
    .option("--monitor", "also start the system's prometheus, scraping the coordinator and every worker")
    .option("--gpus <ids>", "GPU ids for program trials, e.g. 0,1 (shared out among the workers)", (v: string) =>
      v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .option("--slots <n>", "fold processes per worker at once (default: the core count)", parsePositiveInt)
    .action(async (opts: UpOptions) => {
      process.exitCode = await runUp(ctx, opts);
    });
}

interface UpOptions {
  readonly workers: number;
  readonly port?: number;
  readonly host?: string;
  readonly monitor?: boolean;
  readonly gpus?: string[];
  readonly slots?: number;
}

async function runUp(ctx: CliContext, opts: UpOptions): Promise<number> {
  const color = Boolean(process.stdout.isTTY);
  const interrupt = new AbortController();
  let stack: Stack | undefined;
  let firstSignalAt = 0;
  let resolveStopped: (code: number) => void = () => {};
  const stopped = new Promise<number>((resolve) => {
    resolveStopped = resolve;
  });
  const removeHandlers = onStopSignals((sig) => {
    const now = Date.now();
    if (firstSignalAt === 0) {
      firstSignalAt = now;
      if (!stack) {
        interrupt.abort();
        return;
      }
      ctx.err(`hpo: ${sig}: stopping workers and coordinator (again to kill them)`);
      void stack.close().then(() => resolveStopped(EXIT.OK));
    } else if (now - firstSignalAt > 1_000) {
      // A second, deliberate signal (tsx and terminals may deliver one Ctrl-C twice within ms).
      stack?.kill();
      resolveStopped(130);
    }
  });
  try {
    try {
      stack = await startStack({
        workers: opts.workers,
        port: opts.port ?? envPort(ctx) ?? 8080,
        host: opts.host ?? (ctx.env.HPO_HOST?.trim() || "127.0.0.1"),
        cwd: ctx.cwd,
        env: ctx.env,
        monitor: Boolean(opts.monitor),
        ...(opts.gpus && { gpus: opts.gpus }),
        ...(opts.slots !== undefined && { slots: opts.slots }),
        signal: interrupt.signal,
        onLine: (name, line) => ctx.out(prefixLine(name, parseLogLine(line).text, color)),
        notice: (line) => ctx.err(`hpo: ${line}`),
      });
    } catch (e) {
      if (interrupt.signal.aborted) {
        ctx.err("hpo: interrupted; everything started so far is stopped");
        return 130;
      }
      throw e;
    }
    ctx.err(`hpo: coordinator ready at ${stack.url} (key prefix "${stack.prefix}")`);
    if (stack.dashboardUrl) ctx.err(`hpo: dashboard at ${stack.dashboardUrl}`);
    ctx.err(`hpo: ${opts.workers} worker${opts.workers === 1 ? "" : "s"} started; API token ${tokenNote(stack)}`);
    if (stack.prometheusUrl) {
      ctx.err(`hpo: prometheus at ${stack.prometheusUrl} (config ${shown(stack.prometheusConfig)})`);
    } else {
      ctx.err(
        `hpo: metrics: workers' targets in ${shown(stack.metricsSdDir)}, Prometheus config ${shown(stack.prometheusConfig)} (--monitor runs it)`,
      );
    }
    ctx.err("hpo: in another terminal: pnpm hpo submit examples/demo.yaml --watch    (Ctrl-C here stops the stack)");
    const live = stack;
    const crashed = live.coordinatorExited.then(async () => {
      if (firstSignalAt !== 0) return stopped;
      await live.close(5_000);
      return EXIT.FAILURE;
    });
    const code = await Promise.race([stopped, crashed]);
    ctx.err("hpo: stack stopped");
    return code;
  } finally {
    removeHandlers();
  }
}

/** Where the token of a stack is, for the user. */
export function tokenNote(stack: Stack): string {
  if (stack.tokenOrigin === "env") return "from HPO_TOKEN";
  if (!stack.tokenPath) return "kept in memory";
  return `in ${shown(stack.tokenPath)}`;
}

/** A path as the user can type it: relative to the current folder when inside it. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith("..") ? path : rel;
}

function envPort(ctx: CliContext): number | undefined {
  const raw = ctx.env.HPO_PORT?.trim();
  return raw ? parsePort(raw) : undefined;
}
