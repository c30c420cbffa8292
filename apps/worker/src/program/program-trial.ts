import { join } from "node:path";
import { type EpochReport, type FoldResult, HpoError, type TrialJob, type TrialOutcome } from "@hpo/core";
import type { FoldLimits } from "./fold-limits.ts";
import { type FoldExit, type FoldProcess, startFoldProcess } from "./fold-process.ts";
import { createFoldSteps } from "./fold-steps.ts";
import { guardRun, launchProgram, resolveProgram } from "./program-launch.ts";
import type { SlotPool } from "./slot-pool.ts";

/** Output lines of one fold kept for the trial log (the rest are counted). */
const LOG_LINES_PER_FOLD = 200;

/** What a worker gives every program trial. */
export interface ProgramHost {
  /** HPO_PROGRAM_DIRS: where programs may live (realpath check). */
  readonly programDirs: readonly string[];
  /** Fold processes at once, and their GPUs. */
  readonly slots: SlotPool;
  /** Where each fold's HPO_OUTPUT_DIR is made: `<runsDir>/<sweep>/<trial>/fold-<k>`. */
  readonly runsDir: string;
  /** HPO_PROGRAM_ENV: names of the worker's variables passed on to programs. */
  readonly allowEnv: readonly string[];
  /** The worker's environment (read, never passed on whole). */
  readonly parentEnv: NodeJS.ProcessEnv;
  /** SIGTERM → SIGKILL grace of a fold stopped early (ms). */
  readonly killGraceMs: number;
  /** Told of every live process group (the worker's reaper: no orphans if the worker dies). */
  readonly groups?: { add(pgid: number): void; remove(pgid: number): void };
  /** HPO_FOLD_MEMORY_MB / HPO_FOLD_CPU_SECONDS: limits of each fold's process group (fold-limits.ts). */
  readonly limits?: FoldLimits;
}

/** The trial's side: reports to the worker, and its log. */
export interface ProgramTrialCallbacks {
  /** A complete step (K-fold mean); resolves true to prune. */
  readonly onEpoch: (report: EpochReport) => Promise<boolean>;
  /** A line for the trial's log only (program output: not printed by the worker). */
  readonly record: (level: "info" | "warn" | "error", fields: Record<string, unknown>, message: string) => void;
}

/**
 * A program exited non-zero or could not start: the attempt fails (the worker retries it once,
 * elsewhere if need be); the message holds the fold, the exit and the last stderr line.
 */
export class ProgramFailure extends Error {
  override readonly name = "ProgramFailure";
}

type Stop =
  | { readonly kind: "pruned"; readonly step: number }
  | { readonly kind: "cancelled" }
  | { readonly kind: "failed"; readonly message: string; readonly retry: boolean };

/**
 * Runs a program trial: one process per fold (all folds at once, as slots allow), their report
 * lines merged into K-fold steps for the pruner (fold-steps.ts). Returns `completed` with each
 * fold's score (the sweep metric's last value), `pruned` (every fold's process group stopped),
 * `cancelled` when `signal` aborts, `failed` when a fold exits 0 without reporting the metric,
 * runs past `job.maxTrialSeconds`, or the program is refused (outside HPO_PROGRAM_DIRS:
 * errorCode INVALID_SPEC). Every process group is gone when it settles.
 * @throws ProgramFailure when a fold's process exits non-zero or cannot start.
 */
export async function runProgramTrial(
  job: TrialJob,
  host: ProgramHost,
  cb: ProgramTrialCallbacks,
  signal: AbortSignal,
): Promise<TrialOutcome> {
  const program = job.program;
  if (!program) throw new Error(`trial ${job.trialId} names no program`);
  let real: string;
  try {
    real = resolveProgram(job, host.programDirs);
  } catch (e) {
    if (!(e instanceof HpoError)) throw e;
    return { state: "failed", folds: [], flags: [], error: e.message, errorCode: e.code };
  }
  const k = job.cv.folds;
  const metric = job.metric.name;
  const steps = createFoldSteps(k, metric);
  const trialDir = join(host.runsDir, job.sweepId, job.trialId);
  const running = new Map<number, FoldProcess>();
  const stopping = new AbortController(); // ends slot waits once the trial stops
  const durations = new Array<number>(k).fill(0);
  let stop: Stop | undefined;
  let chain: Promise<void> = Promise.resolve();

  const stopAll = (why: Stop) => {
    if (stop) return;
    stop = why;
    stopping.abort(new Error(why.kind));
    for (const p of running.values()) p.kill(why.kind);
  };
  const onCancel = () => stopAll({ kind: "cancelled" });
  if (signal.aborted) onCancel();
  else signal.addEventListener("abort", onCancel, { once: true });

  const emit = (reports: readonly EpochReport[]) => {
    for (const report of reports) {
      chain = chain.then(async () => {
        if (stop) return;
        const prune = await cb.onEpoch(report).catch(() => false);
        if (prune) stopAll({ kind: "pruned", step: report.epoch });
      });
    }
  };

  const runFold = async (fold: number): Promise<void> => {
    const slot = await host.slots.acquire(stopping.signal).catch(() => undefined);
    if (!slot) return;
    try {
      if (stop) return;
      const outputDir = join(trialDir, `fold-${fold}`);
      const launch = launchProgram(job, real, fold, outputDir, host, slot.gpu);
      const { argv } = launch;
      let kept = 0;
      let dropped = 0;
      const started = performance.now();
      const proc = startFoldProcess({
        ...launch,
        onReport: (line) => {
          const ready = steps.add(fold, line);
          if (ready === false)
            cb.record("warn", { fold, step: line.step }, `fold ${fold}: report for a step already closed, ignored`);
          else emit(ready);
        },
        onOutput: (stream, line, invalid) => {
          if (invalid !== undefined) {
            cb.record("warn", { fold, stream }, `fold ${fold}: report line ignored: ${invalid}: ${line.slice(0, 200)}`);
          } else if (kept < LOG_LINES_PER_FOLD) {
            kept++;
            cb.record(stream === "stderr" ? "warn" : "info", { fold, stream }, line);
          } else dropped++;
        },
      });
      running.set(fold, proc);
      const stoppedMeanwhile = stop as Stop | undefined; // set by another fold while this one started
      if (stoppedMeanwhile) proc.kill(stoppedMeanwhile.kind);
      cb.record(
        "info",
        { fold, argv, outputDir, ...(slot.gpu !== undefined && { gpu: slot.gpu }) },
        `fold ${fold} started`,
      );
      const unguard = guardRun(proc, `fold ${fold}`, job.maxTrialSeconds, host.limits, (message) =>
        stopAll({ kind: "failed", retry: false, message }),
      );
      const exit = await proc.done;
      unguard();
      running.delete(fold);
      durations[fold] = performance.now() - started;
      if (dropped > 0) cb.record("info", { fold }, `fold ${fold}: ${dropped} more output lines not kept`);
      emit(steps.exit(fold));
      if (exit.killed === undefined) judge(fold, exit);
    } finally {
      slot.release();
    }
  };

  /** Turns a fold's own exit into a stop of the trial when it failed. */
  const judge = (fold: number, exit: FoldExit) => {
    const name = real.split("/").at(-1);
    if (exit.spawnError !== undefined || exit.code !== 0) {
      const how =
        exit.spawnError !== undefined
          ? `could not start: ${exit.spawnError}`
          : exit.code !== null
            ? `exited with code ${exit.code}`
            : `was killed by ${exit.signal}`;
      for (const line of exit.stderrTail) cb.record("error", { fold, stream: "stderr" }, line);
      const last = exit.stderrTail.at(-1);
      stopAll({ kind: "failed", retry: true, message: `fold ${fold}: ${name} ${how}${last ? `: ${last}` : ""}` });
      return;
    }
    if (!(metric in steps.last(fold))) {
      const reported = Object.keys(steps.last(fold));
      stopAll({
        kind: "failed",
        retry: false,
        message: `fold ${fold}: ${name} exited 0 without reporting ${metric} (${reported.length > 0 ? `reported: ${reported.join(", ")}` : "no report lines"}; print {"hpo": {"step": 1, "${metric}": …}})`,
      });
    }
  };

  try {
    await Promise.all(Array.from({ length: k }, (_, fold) => runFold(fold)));
    await chain;
  } finally {
    signal.removeEventListener("abort", onCancel);
    for (const p of running.values()) p.kill("trial ended"); // only on an unexpected throw
  }
  const results = (): FoldResult[] =>
    Array.from({ length: k }, (_, fold) => fold)
      .filter((fold) => metric in steps.last(fold))
      .map((fold) => ({
        fold,
        score: steps.last(fold)[metric] as number,
        metrics: steps.last(fold),
        epochs: steps.lastStep(fold),
        durationMs: Math.round(durations[fold] as number),
      }));
  const s = stop as Stop | undefined;
  if (!s) return { state: "completed", folds: results(), flags: [] };
  switch (s.kind) {
    case "pruned":
      return { state: "pruned", prunedAt: s.step, folds: results(), flags: [] };
    case "cancelled":
      return { state: "cancelled", folds: [], flags: [], error: "cancelled" };
    case "failed":
      if (s.retry) throw new ProgramFailure(s.message);
      return { state: "failed", folds: [], flags: [], error: s.message };
  }
}
