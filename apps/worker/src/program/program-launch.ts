import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { nestParams, type TrialJob } from "@hpo/core";
import { resolveAllowedPath } from "@hpo/trainer/allowed-path";
import { FOLD_LIMIT_POLL_MS, type FoldLimits, groupUsage, overLimit } from "./fold-limits.ts";
import type { FoldProcess, FoldProcessOptions } from "./fold-process.ts";
import { expandCommand, usesArgsJsonFile } from "./program-command.ts";
import { foldEnv } from "./program-env.ts";

/** How program paths are resolved inside HPO_PROGRAM_DIRS (resolveAllowedPath). */
const PROGRAM_PATH = {
  field: "program",
  env: "HPO_PROGRAM_DIRS",
  dir: "program directory",
  dirs: "program directories",
  code: "INVALID_SPEC",
} as const;

/**
 * The real path of `job`'s program, which must lie inside one of `programDirs` (realpath).
 * @throws HpoError INVALID_SPEC naming the program when it is outside them or missing.
 */
export function resolveProgram(job: TrialJob, programDirs: readonly string[]): string {
  if (!job.program) throw new Error(`trial ${job.trialId} names no program`);
  return resolveAllowedPath(job.program.path, programDirs, PROGRAM_PATH);
}

/** What a program run is started with (startFoldProcess, with its callbacks). */
export type ProgramLaunch = Omit<FoldProcessOptions, "onReport" | "onOutput">;

/** The parts of a program host a launch reads. */
export interface LaunchHost {
  /** HPO_PROGRAM_ENV: names passed on to programs. */
  readonly allowEnv: readonly string[];
  /** The environment they are read from. */
  readonly parentEnv: NodeJS.ProcessEnv;
  /** SIGTERM → SIGKILL grace of a stopped run (ms). */
  readonly killGraceMs: number;
  /** Told of every live process group (a reaper), when there is one. */
  readonly groups?: FoldProcessOptions["groups"];
}

/**
 * Prepares one run of `job`'s program (real path `real`): makes `outputDir` (its HPO_OUTPUT_DIR),
 * writes `params.json` there when the command has `${args_json_file}`, and builds argv (never a
 * shell) and environment (foldEnv) for fold `run` (a number), or for the refit run (`"refit"`:
 * HPO_REFIT=1), run in the program's folder as a process group of its own.
 */
export function launchProgram(
  job: TrialJob,
  real: string,
  run: number | "refit",
  outputDir: string,
  host: LaunchHost,
  gpu?: string,
): ProgramLaunch {
  const program = job.program;
  if (!program) throw new Error(`trial ${job.trialId} names no program`);
  const nested = nestParams(
    Object.fromEntries(Object.entries(program.paths ?? {}).map(([name, path]) => [name, { path }])),
    job.params,
  );
  mkdirSync(outputDir, { recursive: true });
  const argsJsonFile = join(outputDir, "params.json");
  if (usesArgsJsonFile(program.command)) writeFileSync(argsJsonFile, JSON.stringify(nested));
  return {
    argv: expandCommand(program.command, { program: real, params: job.params, nested, argsJsonFile }),
    env: foldEnv({ job, run, nested, outputDir, gpu, parentEnv: host.parentEnv, allow: host.allowEnv }),
    cwd: dirname(real),
    killGraceMs: host.killGraceMs,
    ...(host.groups && { groups: host.groups }),
  };
}

/**
 * Holds a started run to its limits: `maxSeconds` of wall time (budget.max_trial_seconds) and the
 * operator's limits of its process group (fold-limits.ts). Calls `onOver` with the reason (naming
 * `what`, e.g. "fold 2") when one is passed; the caller kills the run. Returns the function that
 * stops watching.
 */
export function guardRun(
  proc: FoldProcess,
  what: string,
  maxSeconds: number | undefined,
  limits: FoldLimits | undefined,
  onOver: (message: string) => void,
): () => void {
  const timer =
    maxSeconds !== undefined
      ? setTimeout(
          () => onOver(`${what} ran longer than budget.max_trial_seconds (${maxSeconds} s) and was killed`),
          maxSeconds * 1000,
        )
      : undefined;
  const pgid = proc.pgid;
  const watch =
    limits && (limits.memoryMb !== undefined || limits.cpuSeconds !== undefined) && pgid !== undefined
      ? setInterval(() => {
          const over = overLimit(what, groupUsage(pgid), limits);
          if (over) onOver(over);
        }, FOLD_LIMIT_POLL_MS)
      : undefined;
  return () => {
    if (timer) clearTimeout(timer);
    if (watch) clearInterval(watch);
  };
}
