import { resolve } from "node:path";
import type { ProgramOptions } from "../worker.ts";
import type { ProgramRefitHost } from "./program-refit.ts";

/** An environment variable's list: `a:b` → ["a", "b"] (blanks dropped). */
export function list(value: string | undefined, separator: string): string[] {
  return (value ?? "")
    .split(separator)
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * Program settings from environment variables (docs/CONTRACTS.md): HPO_PROGRAM_DIRS, HPO_SLOTS,
 * HPO_GPUS, HPO_PROGRAM_ENV, HPO_RUNS_DIR, HPO_KILL_GRACE_MS, HPO_FOLD_MEMORY_MB,
 * HPO_FOLD_CPU_SECONDS. For main.ts files (the worker's, and the coordinator's for program refits).
 */
export function programOptionsOf(env: NodeJS.ProcessEnv): ProgramOptions {
  return {
    dirs: list(env.HPO_PROGRAM_DIRS, ":"),
    ...(Number(env.HPO_SLOTS) > 0 && { slots: Number(env.HPO_SLOTS) }),
    gpus: list(env.HPO_GPUS, ","),
    env: list(env.HPO_PROGRAM_ENV, ","),
    ...(env.HPO_RUNS_DIR && { runsDir: env.HPO_RUNS_DIR }),
    ...(Number(env.HPO_KILL_GRACE_MS) > 0 && { killGraceMs: Number(env.HPO_KILL_GRACE_MS) }),
    limits: {
      ...(Number(env.HPO_FOLD_MEMORY_MB) > 0 && { memoryMb: Number(env.HPO_FOLD_MEMORY_MB) }),
      ...(Number(env.HPO_FOLD_CPU_SECONDS) > 0 && { cpuSeconds: Number(env.HPO_FOLD_CPU_SECONDS) }),
    },
  };
}

/** What every program run of these options shares, with the defaults filled in (no slots, no reaper). */
export function programHostOf(p: ProgramOptions): ProgramRefitHost {
  return {
    programDirs: p.dirs ?? [],
    runsDir: resolve(p.runsDir ?? ".hpo/runs"),
    allowEnv: p.env ?? [],
    parentEnv: p.parentEnv ?? process.env,
    killGraceMs: p.killGraceMs ?? 5000,
    ...(p.limits && { limits: p.limits }),
  };
}
