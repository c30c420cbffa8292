import { type ChildProcess, spawn } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Root of the monorepo. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const BIN = join(ROOT, "apps/cli/src/bin.ts");
const TSX = import.meta.resolve("tsx");

/** Result of one CLI run. */
export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Environment for CLI children: the test's env minus anything that would point at a real stack. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ["HPO_URL", "HPO_TOKEN", "HPO_PREFIX", "HPO_PORT", "HPO_HOST", "REDIS_URL", "NO_COLOR"])
    delete env[k];
  return { ...env, ...extra };
}

/** Spawns `hpo <args>` (node + tsx loader, the same as `pnpm hpo`) and returns the child. */
export function spawnCli(args: readonly string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): ChildProcess {
  return spawn(process.execPath, ["--import", TSX, BIN, ...args], {
    cwd: opts.cwd,
    env: opts.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Runs `hpo <args>` to completion (killed after `timeoutMs`, default 120 s). */
export function runCli(
  args: readonly string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawnCli(args, opts);
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (c) => (stdout += c));
    child.stderr?.on("data", (c) => (stderr += c));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 120_000);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

/** A TCP port on 127.0.0.1 on which nothing listens (bound by the OS, then released). */
export { freePort } from "../../apps/cli/src/net-utils.ts";
