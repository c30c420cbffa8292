import type { EpochReport, TrialJob, TrialOutcome } from "@hpo/core";
import type { RuntimeFaultKind } from "@hpo/trainer/runtime-fault";

/** What the training thread is started with (`workerData`). */
export interface ThreadData {
  /** HPO_BACKEND: "auto" | "tensorflow-gpu" | "tensorflow" | "wasm" | "cpu". */
  readonly backend: string;
  /** Directories a CSV dataset path may point into (HPO_DATA_DIRS). */
  readonly dataDirs: readonly string[];
  /** Module exporting `trainTrial` and `selectBackend`; default "@hpo/trainer" (tests swap it). */
  readonly trainerModule?: string;
}

/** Parent → thread. */
export type ToThread =
  | { readonly type: "train"; readonly runId: number; readonly job: TrialJob }
  | { readonly type: "prune"; readonly runId: number; readonly epoch: number; readonly stop: boolean }
  | { readonly type: "abort"; readonly runId: number };

/** Thread → parent. */
export type FromThread =
  | { readonly type: "ready"; readonly backend: string; readonly reason: string; readonly tensors?: number }
  | { readonly type: "fatal"; readonly message: string }
  | { readonly type: "log"; readonly line: string }
  | {
      readonly type: "epoch";
      readonly runId: number;
      readonly report: EpochReport;
      /** Training rows processed in this epoch over all folds (approximate; 0 when unknown). */
      readonly samples?: number;
    }
  /** A line for the trial's log (the trainer's `reporter.log`). */
  | {
      readonly type: "trial-log";
      readonly runId: number;
      readonly message: string;
      readonly fields?: Readonly<Record<string, unknown>>;
    }
  | { readonly type: "done"; readonly runId: number; readonly outcome: TrialOutcome; readonly tensors?: number }
  | {
      readonly type: "error";
      readonly runId: number;
      readonly message: string;
      /** Set when the error is a runtime fault (runtimeFaultOf): the thread must be replaced. */
      readonly fault?: RuntimeFaultKind;
    };
