import { Worker } from "node:worker_threads";
import { type EpochReport, isSourceModule, siblingModule, type TrialJob, type TrialOutcome } from "@hpo/core";
import type { Logger } from "pino";
import type { FromThread, ThreadData, ToThread } from "./thread-protocol.ts";

export interface TrainingPoolOptions {
  /** Number of threads = trials trained at once. */
  readonly size: number;
  readonly backend: string;
  readonly dataDirs: readonly string[];
  readonly logger: Logger;
  /** Module exporting trainTrial/selectBackend; default "@hpo/trainer". */
  readonly trainerModule?: string;
}

export interface TrainResult {
  readonly outcome: TrialOutcome;
  /** Live tensors in the thread after the trial (undefined when unknown). */
  readonly tensors?: number;
}

/**
 * Long-lived training threads. `run` hands a trial to an idle thread; `onEpoch` is called in the
 * parent for every epoch report and its answer (prune or not) goes back to the thread.
 */
export interface TrainingPool {
  /** Resolves once every thread selected its backend; rejects when one cannot (e.g. forced backend missing). */
  readonly ready: Promise<{ readonly backend: string; readonly reason: string; readonly tensors?: number }>;
  /**
   * Trains `job` on an idle thread. Aborting `signal` asks the trainer to stop (it returns
   * `cancelled`). Rejects when the thread dies or throws (the thread is replaced).
   */
  run(
    job: TrialJob,
    onEpoch: (report: EpochReport, samples?: number) => Promise<boolean>,
    signal: AbortSignal,
    onLog?: TrialLogHandler,
  ): Promise<TrainResult>;
  /** Terminates the threads (running trials reject). */
  close(): Promise<void>;
}

/** Receives the trainer's lines for the trial's log. */
export type TrialLogHandler = (message: string, fields?: Readonly<Record<string, unknown>>) => void;

interface Slot {
  thread: Worker;
  busy?: {
    runId: number;
    onEpoch: (report: EpochReport, samples?: number) => Promise<boolean>;
    onLog?: TrialLogHandler;
    resolve: (r: TrainResult) => void;
    reject: (e: Error) => void;
  };
}

export function createTrainingPool(options: TrainingPoolOptions): TrainingPool {
  const { logger } = options;
  // Built (dist/), the thread runs training-thread.js itself; from source, the boot file registers
  // tsx in the thread, then imports the .ts body (see its comment).
  const entry = siblingModule(import.meta.url, "training-thread");
  const boot = isSourceModule(import.meta.url) ? new URL("./training-thread-boot.mjs", import.meta.url) : entry;
  const data: ThreadData = {
    entry: entry.href,
    backend: options.backend,
    dataDirs: options.dataDirs,
    ...(options.trainerModule && { trainerModule: options.trainerModule }),
  };
  const slots: Slot[] = [];
  const waiting: ((slot: Slot) => void)[] = [];
  let nextRunId = 1;
  let closed = false;
  let readyResolve!: (v: { backend: string; reason: string; tensors?: number }) => void;
  let readyReject!: (e: Error) => void;
  const ready = new Promise<{ backend: string; reason: string; tensors?: number }>((res, rej) => {
    readyResolve = res;
    readyReject = rej;
  });
  ready.catch(() => {}); // observed by the caller; avoid an unhandled rejection here
  let readyCount = 0;

  // placeholder that reserves a slot between acquire() and the train message
  const reserved = { runId: -1, onEpoch: async () => false, resolve: () => {}, reject: () => {} };

  const release = (slot: Slot) => {
    slot.busy = undefined;
    const next = waiting.shift();
    if (next) {
      slot.busy = reserved;
      next(slot);
    }
  };

  const spawn = (index: number): Slot => {
    const thread = new Worker(boot, { workerData: data, name: `training-${index}` });
    const slot: Slot = { thread };
    thread.on("message", (msg: FromThread) => {
      switch (msg.type) {
        case "ready":
          if (++readyCount === options.size) readyResolve(msg);
          break;
        case "fatal":
          readyReject(new Error(msg.message));
          break;
        case "log":
          logger.info(`training-${index}: ${msg.line}`);
          break;
        case "epoch": {
          const busy = slot.busy;
          if (!busy || busy.runId !== msg.runId) return;
          busy.onEpoch(msg.report, msg.samples).then(
            (stop) =>
              thread.postMessage({ type: "prune", runId: msg.runId, epoch: msg.report.epoch, stop } satisfies ToThread),
            (err) => {
              logger.warn({ err }, "training pool: epoch handler failed; training goes on");
              thread.postMessage({
                type: "prune",
                runId: msg.runId,
                epoch: msg.report.epoch,
                stop: false,
              } satisfies ToThread);
            },
          );
          break;
        }
        case "trial-log": {
          const busy = slot.busy;
          if (busy?.runId === msg.runId) busy.onLog?.(msg.message, msg.fields);
          break;
        }
        case "done":
        case "error": {
          const busy = slot.busy;
          if (!busy || busy.runId !== msg.runId) return;
          if (msg.type === "done")
            busy.resolve({ outcome: msg.outcome, ...(msg.tensors !== undefined && { tensors: msg.tensors }) });
          else busy.reject(new Error(msg.message));
          release(slot);
          break;
        }
      }
    });
    const onDeath = (err: Error) => {
      const i = slots.indexOf(slot);
      slot.busy?.reject(err);
      slot.busy = undefined;
      if (readyCount < options.size) readyReject(err);
      if (closed || i < 0) return;
      logger.error({ err: err.message }, `training-${index}: thread died; starting a new one`);
      const fresh = spawn(index);
      slots[i] = fresh;
      release(fresh);
    };
    thread.on("error", (err) => onDeath(err));
    thread.on("exit", (code) => onDeath(new Error(`training thread exited with code ${code}`)));
    return slot;
  };

  for (let i = 0; i < options.size; i++) slots.push(spawn(i));

  const acquire = (): Promise<Slot> => {
    const idle = slots.find((s) => !s.busy);
    if (idle) {
      idle.busy = reserved;
      return Promise.resolve(idle);
    }
    return new Promise((resolve) => waiting.push(resolve));
  };

  return {
    ready,
    async run(job, onEpoch, signal, onLog) {
      if (closed) throw new Error("training pool is closed");
      const slot = await acquire();
      const runId = nextRunId++;
      return new Promise<TrainResult>((resolve, reject) => {
        slot.busy = { runId, onEpoch, resolve, reject, ...(onLog && { onLog }) };
        const abort = () => slot.thread.postMessage({ type: "abort", runId } satisfies ToThread);
        if (signal.aborted) abort();
        else signal.addEventListener("abort", abort, { once: true });
        slot.thread.postMessage({ type: "train", runId, job } satisfies ToThread);
      });
    },
    async close() {
      closed = true;
      await Promise.all(slots.map((s) => s.thread.terminate()));
    },
  };
}
