import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { waitFor } from "@hpo/core/testing";

/** The repository root (cwd of spawned processes); the one place tests compute it. */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
/** tsx's loader as a file URL, so `--import` resolves it from any working directory. */
const TSX = import.meta.resolve("tsx");

/**
 * The environment of a spawned app: this process's env without any `HPO_*` variable (a user's
 * HPO_TOKEN or HPO_PREFIX must not leak into a test's processes), `LOG_LEVEL=info`, then `env`.
 */
export function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("HPO_")));
  return { ...inherited, LOG_LEVEL: "info", ...env };
}

/** A child process running one of our TypeScript entry points, with its output kept in memory. */
export interface Proc {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Every stdout/stderr line so far (pino JSON lines for our apps). */
  readonly lines: string[];
  /** Lines parsed as JSON (non-JSON lines skipped). */
  logs(): Record<string, unknown>[];
  /** Resolves with the first log record for which `match` is true (default timeout 60 s). */
  waitForLog(
    match: (rec: Record<string, unknown>) => boolean,
    what: string,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  /**
   * Sends `signal` (default SIGTERM) and waits for the exit code (null when killed by a signal);
   * with `killAfterMs`, sends SIGKILL if the process is still running that long after.
   */
  stop(signal?: NodeJS.Signals, killAfterMs?: number): Promise<number | null>;
  readonly exited: Promise<number | null>;
}

/** Where a spawned process runs and where its output goes besides memory. */
export interface SpawnOptions {
  /** Working directory; default the repo root. */
  readonly cwd?: string;
  /** Also append every stdout/stderr chunk to this file (and a line with the exit status). */
  readonly logFile?: string;
}

/**
 * Runs `node --import tsx <entry>` (`entry` relative to the repo root): one process (no tsx CLI
 * relay), so a signal reaches the app itself. Env: `childEnv(env)`; see `SpawnOptions`.
 */
export function spawnTs(entry: string, env: Record<string, string>, options: SpawnOptions = {}): Proc {
  return spawnProc(process.execPath, ["--import", TSX, join(REPO_ROOT, entry)], env, entry, options);
}

/**
 * Spawns `command args` with `childEnv(env)`, keeping its stdout/stderr lines (see
 * `SpawnOptions`). `label` names the process in `waitForLog` errors. The command must become
 * (exec) the app so that `stop()`'s signal reaches it (node itself, `ip netns exec`).
 */
export function spawnProc(
  command: string,
  args: readonly string[],
  env: Record<string, string>,
  label: string,
  options: SpawnOptions = {},
): Proc {
  const child = spawn(command, args, {
    cwd: options.cwd ?? REPO_ROOT,
    env: childEnv(env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const log = options.logFile ? createWriteStream(options.logFile) : undefined;
  const lines: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    let partial = ""; // a line split across chunks
    stream?.setEncoding("utf8");
    stream?.on("data", (chunk: string) => {
      log?.write(chunk);
      const parts = (partial + chunk).split("\n");
      partial = parts.pop() ?? "";
      for (const line of parts) if (line.trim()) lines.push(line);
    });
    stream?.on("end", () => {
      if (partial.trim()) lines.push(partial);
    });
  }
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code, signal) => {
      log?.end(`[${label} exited code=${code} signal=${signal}]\n`);
      resolve(code);
    }),
  );
  const logs = () =>
    lines.flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  let exitCode: number | null | undefined;
  void exited.then((c) => {
    exitCode = c;
  });
  return {
    child,
    pid: child.pid as number,
    lines,
    logs,
    exited,
    waitForLog: (match, what, timeoutMs = 60_000) =>
      waitFor(
        `${what} in the log of ${label}`,
        () => {
          if (exitCode !== undefined)
            throw new Error(`${label} exited with ${exitCode}: ${lines.slice(-5).join("\n")}`);
          return logs().find(match);
        },
        { timeoutMs },
      ),
    async stop(signal = "SIGTERM", killAfterMs) {
      if (exitCode !== undefined) return exited;
      child.kill(signal);
      const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill("SIGKILL"), killAfterMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

export interface WorkerProcOptions {
  readonly prefix: string;
  readonly name: string;
  readonly env?: Record<string, string>;
}

/** Starts `apps/worker/src/main.ts` and waits until it takes jobs. */
export async function startWorkerProcess(opts: WorkerProcOptions): Promise<Proc> {
  const proc = spawnTs("apps/worker/src/main.ts", {
    REDIS_URL,
    HPO_PREFIX: opts.prefix,
    HPO_WORKER_NAME: opts.name,
    ...opts.env,
  });
  try {
    await proc.waitForLog((r) => r.msg === "worker taking jobs", "worker ready", 60_000);
  } catch (e) {
    await proc.stop("SIGKILL");
    throw e;
  }
  return proc;
}

/** Starts `apps/coordinator/src/main.ts` on an ephemeral port; resolves with its base URL. */
export async function startCoordinatorProcess(opts: {
  prefix: string;
  env?: Record<string, string>;
  /** Working directory; default the repo root. */
  cwd?: string;
}): Promise<{ proc: Proc; url: string }> {
  const proc = spawnTs(
    "apps/coordinator/src/main.ts",
    {
      REDIS_URL,
      HPO_PREFIX: opts.prefix,
      HPO_PORT: "0",
      HPO_HOST: "127.0.0.1",
      ...opts.env,
    },
    { cwd: opts.cwd },
  );
  try {
    const rec = await proc.waitForLog((r) => r.msg === "coordinator listening", "coordinator listening", 60_000);
    return { proc, url: String(rec.url) };
  } catch (e) {
    await proc.stop("SIGKILL");
    throw e;
  }
}
