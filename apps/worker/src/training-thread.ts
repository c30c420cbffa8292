/**
 * Body of a training thread (worker_threads): selects the tfjs backend once, then trains one
 * trial at a time with the trainer's `trainTrial` (`trainModuleTrial` for a model module), posting
 * each epoch report to the parent and
 * waiting for its prune answer. CPU-bound epochs run here, so the parent's event loop stays free
 * to renew BullMQ job locks.
 */
import { parentPort, workerData } from "node:worker_threads";
import { ChannelError, openChannel, type Reporter, type TrialJob } from "@hpo/core";
import { liveTensors, loadDataset, selectBackend, trainModuleTrial, trainTrial } from "@hpo/trainer";
import { runtimeFaultOf } from "@hpo/trainer/runtime-fault";
import type {
  AbortNote,
  EpochRequest,
  ThreadData,
  ThreadNote,
  TrainErrorData,
  TrainReply,
  TrainRequest,
} from "./thread-protocol.ts";

const port = parentPort;
if (!port) throw new Error("training-thread: must run in a worker thread");
const data = workerData as ThreadData;
const aborts = new Map<number, AbortController>();
const channel = openChannel<EpochRequest, boolean, ThreadNote, TrainRequest, TrainReply, AbortNote>(port, {
  onRequest: ({ runId, job }) => train(runId, job),
  onNote: ({ runId }) => aborts.get(runId)?.abort(),
});
const post = (note: ThreadNote) => channel.note(note);

try {
  const selected = await selectBackend(data.backend as Parameters<typeof selectBackend>[0], (line) =>
    post({ type: "log", line }),
  );
  post({ type: "ready", backend: selected.name, reason: selected.reason, tensors: liveTensors() });
} catch (e) {
  post({ type: "fatal", message: e instanceof Error ? e.message : String(e) });
}

/** Training rows of one fold (each row trains in K-1 of K folds), for the samples/s metric; 0 when unknown. */
function trainRowsPerFold(job: TrialJob): number {
  if (job.mode === "noop" || !job.dataset) return 0;
  try {
    const rows = loadDataset(job.dataset, { dataDirs: data.dataDirs }).nRows;
    return (rows * (job.cv.folds - 1)) / job.cv.folds;
  } catch {
    return 0; // the trainer reports the dataset error itself
  }
}

async function train(runId: number, job: TrialJob): Promise<TrainReply> {
  const controller = new AbortController();
  aborts.set(runId, controller);
  const rowsPerFold = trainRowsPerFold(job);
  const reporter: Reporter = {
    report: (report) => {
      const training = report.folds.filter((f) => !f.early_stopped).length;
      return channel.request({ runId, report, samples: Math.round(rowsPerFold * training) });
    },
    log: (message, fields) => post({ type: "trial-log", runId, message, ...(fields && { fields }) }),
  };
  try {
    if (job.model.module !== undefined) {
      const { outcome, dirty } = await trainModuleTrial(job, reporter, controller.signal, {
        dataDirs: data.dataDirs,
        modelDirs: data.modelDirs,
      });
      return { outcome, tensors: liveTensors(), ...(dirty && { retire: true }) };
    }
    const outcome = await trainTrial(job, reporter, controller.signal, { dataDirs: data.dataDirs });
    return { outcome, tensors: liveTensors() };
  } catch (e) {
    // a runtime fault (wasm abort, failed allocation, …) leaves this thread's backend unusable:
    // the parent replaces the thread (training-pool.ts); any other error is the trial's
    const fault = runtimeFaultOf(e);
    if (fault) throw new ChannelError(fault.message, { fault: fault.kind } satisfies TrainErrorData);
    throw e;
  } finally {
    aborts.delete(runId);
  }
}
