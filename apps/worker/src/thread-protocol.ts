import type { EpochReport, TrialJob, TrialOutcome } from "@hpo/core";
import type { RuntimeFaultKind } from "@hpo/trainer/runtime-fault";

/**
 * What the worker and its training threads say to each other, on a core `Channel`
 * (packages/core/src/thread-channel.ts).
 *
 *   parent → thread  request TrainRequest → TrainReply (or an error: TrainErrorData)
 *                    note    AbortNote
 *   thread → parent  request EpochRequest → boolean (true: stop, the trial was pruned or cancelled)
 *                    note    ThreadNote
 */

/** What the training thread is started with (`workerData`). */
export interface ThreadData {
  /** HPO_BACKEND: "auto" | "tensorflow-gpu" | "tensorflow" | "wasm" | "cpu". */
  readonly backend: string;
  /** Directories a CSV dataset path may point into (HPO_DATA_DIRS). */
  readonly dataDirs: readonly string[];
  /** Directories a model module may be loaded from (HPO_MODEL_DIRS). */
  readonly modelDirs: readonly string[];
}

/** Train one trial. `runId` names the run in the thread's epoch requests and the parent's abort notes. */
export interface TrainRequest {
  readonly runId: number;
  readonly job: TrialJob;
}

export interface TrainReply {
  readonly outcome: TrialOutcome;
  /** Live tensors in the thread after the trial. */
  readonly tensors?: number;
  /** The trial left something behind (a model module's tensors or running code): replace the thread. */
  readonly retire?: boolean;
}

/** The `data` of a failed TrainRequest whose error was a runtime fault: the thread must be replaced. */
export interface TrainErrorData {
  readonly fault: RuntimeFaultKind;
}

/** Stop the run (cancel or shutdown): the trainer returns `cancelled`. */
export interface AbortNote {
  readonly runId: number;
}

/** One epoch of a run; the parent answers whether to stop. */
export interface EpochRequest {
  readonly runId: number;
  readonly report: EpochReport;
  /** Training rows processed in this epoch over all folds (approximate; 0 when unknown). */
  readonly samples?: number;
}

export type ThreadNote =
  /** The backend is selected: the thread takes trials. */
  | { readonly type: "ready"; readonly backend: string; readonly reason: string; readonly tensors?: number }
  /** The backend cannot be selected: the thread is of no use. */
  | { readonly type: "fatal"; readonly message: string }
  /** A line for the worker's log. */
  | { readonly type: "log"; readonly line: string }
  /** A line for the trial's log (the trainer's `reporter.log`). */
  | {
      readonly type: "trial-log";
      readonly runId: number;
      readonly message: string;
      readonly fields?: Readonly<Record<string, unknown>>;
    };
