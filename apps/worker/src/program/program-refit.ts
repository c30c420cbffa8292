import { rmSync } from "node:fs";
import { join } from "node:path";
import { HpoError, type TrialJob } from "@hpo/core";
import { startFoldProcess } from "./fold-process.ts";
import { guardRun, launchProgram, resolveProgram } from "./program-launch.ts";
import type { ProgramHost } from "./program-trial.ts";

/** What a refit run needs of a program host: no slots (one run, outside the worker's pool). */
export type ProgramRefitHost = Omit<ProgramHost, "slots">;

/** A program trial's refit run, done. */
export interface ProgramRefitRun {
  /** Its HPO_OUTPUT_DIR: what the program wrote is the export. */
  readonly outputDir: string;
  readonly argv: readonly string[];
  /** The last value of each metric it reported (report lines; training figures in a refit). */
  readonly metrics: Readonly<Record<string, number>>;
  /** The last step it reported (0 when none). */
  readonly steps: number;
  readonly durationMs: number;
}

/** Output lines of the refit run kept for its log. */
const LOG_LINES = 200;

/**
 * The refit of a program trial (docs/CONTRACTS.md "Program refit"): one more run of the user's
 * program, with the trial's parameters, on every row (`HPO_REFIT=1`, `HPO_FOLD=0`, `HPO_FOLDS=1`),
 * under the rules of its folds: the program resolved inside HPO_PROGRAM_DIRS, argv from the
 * `command` template (never a shell), the fold environment (allowlist only), its own process
 * group, `budget.max_trial_seconds` and the operator's limits (HPO_FOLD_MEMORY_MB,
 * HPO_FOLD_CPU_SECONDS). Its HPO_OUTPUT_DIR is `<runsDir>/<sweep>/<trial>/refit`, emptied first.
 * Report lines are optional (kept as `metrics`); other output goes to `log`.
 * @throws HpoError INVALID_SPEC when the program is not allowed; TRAINING_FAILED when it cannot
 *   start, exits non-zero, is killed by a signal or a limit, or `signal` aborts.
 */
export async function runProgramRefit(
  job: TrialJob,
  host: ProgramRefitHost,
  log: (stream: "stdout" | "stderr", line: string) => void = () => {},
  signal?: AbortSignal,
): Promise<ProgramRefitRun> {
  const real = resolveProgram(job, host.programDirs);
  const outputDir = join(host.runsDir, job.sweepId, job.trialId, "refit");
  rmSync(outputDir, { recursive: true, force: true }); // an earlier refit's files are not this one's
  const launch = launchProgram(job, real, "refit", outputDir, host);
  const metrics: Record<string, number> = {};
  let steps = 0;
  let kept = 0;
  const started = performance.now();
  const proc = startFoldProcess({
    ...launch,
    onReport: (line) => {
      steps = Math.max(steps, line.step);
      Object.assign(metrics, line.metrics);
    },
    onOutput: (stream, line) => {
      if (kept++ < LOG_LINES) log(stream, line);
    },
  });
  let over: string | undefined;
  const unguard = guardRun(proc, "the refit run", job.maxTrialSeconds, host.limits, (message) => {
    over ??= message;
    proc.kill(message);
  });
  const onAbort = () => proc.kill("cancelled");
  signal?.addEventListener("abort", onAbort, { once: true });
  const exit = await proc.done;
  unguard();
  signal?.removeEventListener("abort", onAbort);
  const name = real.split("/").at(-1);
  const fail = (how: string): never => {
    const last = exit.stderrTail.at(-1);
    throw new HpoError("TRAINING_FAILED", `refit of ${job.trialId}: ${name} ${how}${last ? `: ${last}` : ""}`);
  };
  if (over) fail(`was stopped: ${over}`);
  if (exit.killed !== undefined) fail(`was stopped (${exit.killed})`);
  if (exit.spawnError !== undefined) fail(`could not start: ${exit.spawnError}`);
  if (exit.code !== 0) fail(exit.code !== null ? `exited with code ${exit.code}` : `was killed by ${exit.signal}`);
  return {
    outputDir,
    argv: launch.argv,
    metrics,
    steps,
    durationMs: Math.round(performance.now() - started),
  };
}
