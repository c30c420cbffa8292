import type { Worker } from "node:worker_threads";
import {
  type Channel,
  ChannelClosedError,
  ChannelError,
  type EpochReport,
  openChannel,
  startModuleThread,
  type TrialJob,
  type TrialOutcome,
} from "@hpo/core";
import { RuntimeFault, runtimeFaultOf } from "@hpo/trainer/runtime-fault";
import type { Logger } from "pino";
import { threadEnv } from "./thread-env.ts";
import type {
  AbortNote,
  EpochRequest,
  ThreadData,
  ThreadNote,
  TrainErrorData,
  TrainReply,
  TrainRequest,
} from "./thread-protocol.ts";

export interface TrainingPoolOptions {
  /** Number of threads = trials trained at once. */
  readonly size: number;
  readonly backend: string;
  readonly dataDirs: readonly string[];
  /** Directories model modules may be loaded from (HPO_MODEL_DIRS). */
  readonly modelDirs: readonly string[];
  readonly logger: Logger;
}

/** Time a model-module trial gets when its sweep sets no `budget.max_trial_seconds`. */
export const DEFAULT_MODULE_TRIAL_SECONDS = 3600;

export interface TrainResult {
  readonly outcome: TrialOutcome;
  /** Live tensors in the thread after the trial (undefined when unknown). */
  readonly tensors?: number;
}

/**
 * Long-lived training threads. `run` hands a trial to an idle thread; `onEpoch` is called in the
 * parent for every epoch report and its answer (prune or not) goes back to the thread.
 *
 * A thread whose runtime faulted (it reports a RuntimeFault: wasm abort or trap, failed
 * allocation) or that died is terminated and replaced by a fresh one, which takes jobs only once
 * it has selected its backend; the trial it was running rejects with a RuntimeFault (the caller
 * retries it). See docs/trainer.md, "Runtime faults".
 *
 * A trial with a time limit (`job.maxTrialSeconds`; model-module trials DEFAULT_MODULE_TRIAL_SECONDS
 * when unset) that has not finished in time resolves `failed` with the reason, and its thread is
 * replaced (the user code in it may never yield). So is a thread whose trial reports it left
 * something behind (`retire`: a model module's undisposed tensors or still-running code).
 * Threads start with the process env minus hpo's secrets (threadEnv), since model modules run there.
 */
export interface TrainingPool {
  /** Resolves once every thread selected its backend; rejects when one cannot (e.g. forced backend missing). */
  readonly ready: Promise<{ readonly backend: string; readonly reason: string; readonly tensors?: number }>;
  /**
   * Trains `job` on an idle thread (waits for one). Aborting `signal` asks the trainer to stop (it
   * returns `cancelled`). Rejects with a RuntimeFault when the thread's runtime faults or the
   * thread dies (the thread is replaced), with an Error when the trainer throws anything else.
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
  /** Its place in the pool (threads are named training-<index>). */
  readonly index: number;
  thread: Worker;
  channel: Channel<TrainRequest, TrainReply, AbortNote>;
  /** The thread selected its backend and takes jobs. */
  ready: boolean;
  /** Terminated after a fault or death; its late messages and exit are ignored. */
  retired: boolean;
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
  const data: ThreadData = {
    backend: options.backend,
    dataDirs: options.dataDirs,
    modelDirs: options.modelDirs,
  };
  const env = threadEnv(process.env);
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

  /** Terminates `slot`'s thread (if alive) and starts a fresh one in its place (none once closed). */
  const replace = (slot: Slot, delayMs = 0) => {
    if (slot.retired) return;
    slot.retired = true;
    slot.ready = false;
    void slot.thread.terminate();
    if (closed) return;
    const start = () => {
      const i = slots.indexOf(slot);
      if (closed || i < 0) return;
      slots[i] = spawn(slot.index, false);
    };
    if (delayMs > 0) setTimeout(start, delayMs).unref();
    else start();
  };

  /** Fails the slot's running trial with `fault` and replaces the thread. */
  const fault = (slot: Slot, err: RuntimeFault, delayMs = 0) => {
    if (slot.retired) return;
    const busy = slot.busy;
    slot.busy = undefined;
    logger.error({ err: err.message, kind: err.kind }, `training-${slot.index}: runtime fault; replacing the thread`);
    replace(slot, delayMs);
    busy?.reject(err);
  };

  const spawn = (index: number, initial: boolean): Slot => {
    const thread = startModuleThread(import.meta.url, "training-thread", {
      workerData: data,
      name: `training-${index}`,
      env,
    });
    const onNote = (note: ThreadNote) => {
      if (slot.retired) return;
      switch (note.type) {
        case "ready":
          slot.ready = true;
          if (initial && ++readyCount === options.size) readyResolve(note);
          if (!initial) logger.info(`training-${index}: fresh thread ready (${note.backend})`);
          if (!slot.busy) release(slot);
          break;
        case "fatal":
          if (initial) readyReject(new Error(note.message));
          // a replacement that cannot select its backend: try again a little later
          else fault(slot, new RuntimeFault("thread-exit", `runtime fault: ${note.message}`), 1000);
          break;
        case "log":
          logger.info(`training-${index}: ${note.line}`);
          break;
        case "trial-log": {
          const busy = slot.busy;
          if (busy?.runId === note.runId) busy.onLog?.(note.message, note.fields);
          break;
        }
      }
    };
    const onEpoch = async ({ runId, report, samples }: EpochRequest): Promise<boolean> => {
      const busy = slot.busy;
      if (slot.retired || !busy || busy.runId !== runId) return true; // a run nobody waits for: stop it
      try {
        return await busy.onEpoch(report, samples);
      } catch (err) {
        logger.warn({ err }, "training pool: epoch handler failed; training goes on");
        return false;
      }
    };
    const channel = openChannel<TrainRequest, TrainReply, AbortNote, EpochRequest, boolean, ThreadNote>(thread, {
      onRequest: onEpoch,
      onNote,
    });
    const slot: Slot = { index, thread, channel, ready: false, retired: false };
    const onDeath = (err: Error) => {
      channel.close(err);
      if (slot.retired) return;
      if (closed) {
        // close() terminated it: the running trial rejects, as close() promises; no fault to report
        slot.retired = true;
        const busy = slot.busy;
        slot.busy = undefined;
        busy?.reject(err);
        return;
      }
      if (initial && readyCount < options.size) readyReject(err);
      fault(slot, runtimeFaultOf(err) ?? new RuntimeFault("thread-exit", `runtime fault: ${err.message}`));
    };
    thread.on("error", (err) => onDeath(err));
    thread.on("exit", (code) => onDeath(new Error(`the training thread exited with code ${code}`)));
    return slot;
  };

  for (let i = 0; i < options.size; i++) slots.push(spawn(i, true));

  const acquire = (): Promise<Slot> => {
    const idle = slots.find((s) => s.ready && !s.busy);
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
      const limit = job.maxTrialSeconds ?? (job.model.module !== undefined ? DEFAULT_MODULE_TRIAL_SECONDS : undefined);
      return new Promise<TrainResult>((resolveRun, rejectRun) => {
        let timer: NodeJS.Timeout | undefined;
        const resolve = (r: TrainResult) => {
          clearTimeout(timer);
          resolveRun(r);
        };
        const reject = (e: Error) => {
          clearTimeout(timer);
          rejectRun(e);
        };
        const busy = { runId, onEpoch, resolve, reject, ...(onLog && { onLog }) };
        slot.busy = busy;
        if (limit !== undefined)
          timer = setTimeout(() => {
            if (slot.busy !== busy) return;
            slot.busy = undefined;
            logger.warn(`training-${slot.index}: trial ${job.trialId} ran past ${limit} s; replacing the thread`);
            replace(slot);
            const setting =
              job.maxTrialSeconds !== undefined ? "budget.max_trial_seconds" : "the default for model modules";
            const error = `the trial did not finish within ${limit} s (${setting}); its training thread was replaced`;
            resolveRun({ outcome: { state: "failed", folds: [], flags: [], error } });
          }, limit * 1000);
        const abort = () => slot.channel.note({ runId });
        if (signal.aborted) abort();
        else signal.addEventListener("abort", abort, { once: true });
        slot.channel.request({ runId, job }).then(
          (reply) => {
            if (slot.busy !== busy) return; // the slot faulted meanwhile: the run was rejected then
            busy.resolve({ outcome: reply.outcome, ...(reply.tensors !== undefined && { tensors: reply.tensors }) });
            if (reply.retire) {
              slot.busy = undefined;
              logger.warn(
                `training-${slot.index}: the trial left tensors or running code behind; replacing the thread`,
              );
              replace(slot);
            } else release(slot);
          },
          (err: Error) => {
            if (slot.busy !== busy || err instanceof ChannelClosedError) return; // death: onDeath rejects the run
            const kind = err instanceof ChannelError && (err.data as TrainErrorData | undefined)?.fault;
            if (kind) return void fault(slot, new RuntimeFault(kind, err.message));
            busy.reject(new Error(err.message));
            release(slot);
          },
        );
      });
    },
    async close() {
      closed = true;
      await Promise.all(slots.map((s) => s.thread.terminate()));
    },
  };
}
