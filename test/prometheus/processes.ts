import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { join, resolve } from "node:path";
import { childEnv } from "../helpers/processes.ts";

/** The repository root (cwd of spawned apps, so `--import tsx` resolves). */
export const ROOT = resolve(import.meta.dirname, "../..");

export interface AppProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Every stdout/stderr line so far. */
  readonly lines: readonly string[];
  /** Resolves with the first line (past or future) matching `test`; rejects after `timeoutMs` or on exit. */
  waitForLine(test: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process exited. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Spawns `node --import tsx <script>` from the repository root with `childEnv(env)` (no inherited
 * `HPO_*`), and logs its output to `${logDir}/${name}.log`.
 */
export function spawnApp(name: string, script: string, env: Record<string, string>, logDir: string): AppProcess {
  return spawnProcess(name, process.execPath, ["--import", "tsx", join(ROOT, script)], env, logDir);
}

/** Spawns `command args` from the repository root with `childEnv(env)`; output goes to `${logDir}/${name}.log`. */
export function spawnProcess(
  name: string,
  command: string,
  args: readonly string[],
  env: Record<string, string>,
  logDir: string,
): AppProcess {
  const child = spawn(command, [...args], {
    cwd: ROOT,
    env: childEnv(env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const log = createWriteStream(join(logDir, `${name}.log`));
  const lines: string[] = [];
  const waiters = new Set<{ test: (l: string) => boolean; resolve: (l: string) => void }>();
  let exited = false;
  const exit = new Promise<void>((resolveExit) =>
    child.once("exit", (code, signal) => {
      exited = true;
      log.end(`[${name} exited code=${code} signal=${signal}]\n`);
      resolveExit();
    }),
  );
  for (const stream of [child.stdout, child.stderr]) {
    let partial = "";
    stream?.setEncoding("utf8");
    stream?.on("data", (chunk: string) => {
      log.write(chunk);
      const parts = (partial + chunk).split("\n");
      partial = parts.pop() ?? "";
      for (const line of parts) {
        lines.push(line);
        for (const w of waiters) if (w.test(line)) w.resolve(line);
      }
    });
  }
  return {
    name,
    child,
    lines,
    waitForLine(test, timeoutMs = 60_000) {
      const past = lines.find(test);
      if (past !== undefined) return Promise.resolve(past);
      return new Promise<string>((resolveLine, reject) => {
        const waiter = {
          test,
          resolve: (line: string) => {
            cleanup();
            resolveLine(line);
          },
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(`${name}: no matching line within ${timeoutMs} ms; last lines:\n${lines.slice(-20).join("\n")}`),
          );
        }, timeoutMs);
        const onExit = () => {
          cleanup();
          reject(new Error(`${name} exited before a matching line; last lines:\n${lines.slice(-20).join("\n")}`));
        };
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(waiter);
          child.off("exit", onExit);
        };
        waiters.add(waiter);
        child.once("exit", onExit);
      });
    },
    async stop(graceMs = 15_000) {
      if (exited) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exit;
      clearTimeout(timer);
    },
  };
}

/** Parses a pino JSON log line; undefined for other lines. */
export function jsonLine(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
