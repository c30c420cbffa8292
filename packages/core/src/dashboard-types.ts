/**
 * Wire shapes of the dashboard API (`/api/dashboard/...`): what the coordinator computes and
 * serves as JSON and what the dashboard client reads. One definition for both sides.
 */
import type { Params } from "./types.ts";

/** One point of the optimization history: a completed trial's score. */
export interface HistoryPoint {
  readonly index: number;
  readonly score: number;
  readonly trialId: string;
}

/**
 * Optimization history of a sweep, downsampled on the server (`GET .../history?points=`).
 */
export interface History {
  readonly points: readonly HistoryPoint[];
  /** Best-so-far curve as [trial index, best score] steps (a point only where the best improves, plus the last). */
  readonly best: readonly (readonly [number, number])[];
  readonly completed: number;
}

/** Parameter importance of a sweep (`GET .../importance`); "computing" while a newer result is on its way. */
export interface Importance {
  readonly status: "ready" | "computing" | "insufficient";
  readonly method: string;
  readonly completed: number;
  readonly params: readonly { readonly name: string; readonly importance: number }[];
}

/** A bounded sample of completed trials (top ones plus an even spread) for the scatter-type plots. */
export interface TrialSample {
  readonly params: readonly string[];
  readonly rows: readonly { readonly id: string; readonly score: number; readonly params: Params }[];
  readonly completed: number;
}

/** One worker of the Fleet view. */
export interface WorkerInfo {
  readonly name: string;
  readonly host?: string;
  readonly backend?: string;
  readonly busy: boolean;
  readonly currentTrial?: string;
  readonly samplesPerSec?: number;
  /** Seconds since the worker's queue connection was opened. */
  readonly connectedSec?: number;
  /** Trials it may run at once (its concurrency), from its status hash. */
  readonly slots?: number;
  /** When its status hash was last published (ms). */
  readonly updatedAt?: number;
}

/** The Fleet view's data (`GET /api/dashboard/fleet`). */
export interface Fleet {
  readonly workers: readonly WorkerInfo[];
  /** Queue depth by BullMQ job state. */
  readonly queue: Readonly<Record<string, number>>;
  /** Trials by state. */
  readonly trials: Readonly<Record<string, number>>;
  readonly throughput: readonly { readonly label: string; readonly value: number; readonly unit: string }[];
  /** [minute start ms, trials finished in that minute], the last 30 minutes. */
  readonly recent: readonly (readonly [number, number])[];
}
