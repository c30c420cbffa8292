import { spawn } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "../helpers/processes.ts";

/** The Python helper's folder (packages/program-kit/python), as the worker puts it on PYTHONPATH. */
export const HPO_PY_DIR = join(REPO_ROOT, "packages/program-kit/python");

/** What a finished child process left. */
export interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `command args` (no shell) with exactly `env` (plus PATH), writes `input` to its stdin,
 * and resolves when it exits; rejects only when it cannot start.
 */
export function run(
  command: string,
  args: readonly string[],
  env: Record<string, string>,
  input = "",
  cwd = REPO_ROOT,
): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** `python3 args` with PYTHONPATH = the Python helper's folder (then `extraPath`). */
export function runPython(
  args: readonly string[],
  env: Record<string, string> = {},
  input = "",
  cwd = REPO_ROOT,
): Promise<Finished> {
  return run("python3", args, { PYTHONPATH: HPO_PY_DIR, ...env }, input, cwd);
}

/** Why python3 cannot run here, or undefined when it can (for `describeNeeding`). */
export async function pythonMissing(): Promise<string | undefined> {
  try {
    const r = await run("python3", ["-c", "import sys; assert sys.version_info >= (3, 8)"], {});
    return r.code === 0 ? undefined : `python3 >= 3.8 needed: ${r.stderr.trim()}`;
  } catch (e) {
    return `python3 not found: ${(e as Error).message}`;
  }
}
