/**
 * Every hpo metric family: its name, type, labels and meaning. The metric definitions use these
 * names, docs/metrics.md documents them, and test/prometheus checks that each has samples in a
 * real Prometheus and appears in the Grafana dashboard.
 *
 * Naming follows Prometheus practice: base units (`_seconds`), counters end in `_total`, and no
 * label takes unbounded values (never a trial or job id; `sweep` only while the sweep is live).
 * Every series also carries the registry's default labels `role` and `process`.
 */
export type MetricType = "counter" | "gauge" | "histogram";

/** Which process exports a family. */
export type MetricRole = "coordinator" | "worker" | "both";

export interface MetricFamily {
  readonly name: string;
  readonly type: MetricType;
  readonly labels: readonly string[];
  readonly role: MetricRole;
  readonly help: string;
}

function family(
  name: string,
  type: MetricType,
  labels: readonly string[],
  role: MetricRole,
  help: string,
): MetricFamily {
  return { name, type, labels, role, help };
}

export const FAMILIES = {
  trialsFinished: family(
    "hpo_trials_finished_total",
    "counter",
    ["state"],
    "both",
    "Trials that reached a final state (completed, pruned, failed, diverged, cancelled), counted once by the process that decided the state.",
  ),
  foldsFinished: family(
    "hpo_folds_finished_total",
    "counter",
    ["state"],
    "both",
    "Cross-validation folds that reached a final state; a fold takes the state of its trial.",
  ),
  trialDuration: family(
    "hpo_trial_duration_seconds",
    "histogram",
    ["state"],
    "worker",
    "Wall time of a trial from start of training to its final state.",
  ),
  foldDuration: family(
    "hpo_fold_duration_seconds",
    "histogram",
    ["state"],
    "worker",
    "Training time of one fold, as reported by the trainer.",
  ),
  epochDuration: family(
    "hpo_epoch_duration_seconds",
    "histogram",
    [],
    "worker",
    "Wall time of one epoch of a trial (all K folds trained in lockstep).",
  ),
  trainingSamples: family(
    "hpo_training_samples_total",
    "counter",
    [],
    "worker",
    "Training samples processed (rows x epochs over all folds); rate() gives samples per second.",
  ),
  trainingEpochs: family(
    "hpo_training_epochs_total",
    "counter",
    [],
    "worker",
    "Epochs trained (all folds of a trial in lockstep count once).",
  ),
  workerBusy: family(
    "hpo_worker_busy",
    "gauge",
    [],
    "worker",
    "Trials running in this worker process right now (0 or 1 at concurrency 1).",
  ),
  workerSlots: family(
    "hpo_worker_slots",
    "gauge",
    [],
    "worker",
    "Trials this worker process may run at once (its concurrency); busy / slots is its utilisation.",
  ),
  jobRetries: family(
    "hpo_job_retries_total",
    "counter",
    [],
    "both",
    "Trial jobs that failed an attempt and were scheduled for another one.",
  ),
  jobsStalled: family(
    "hpo_jobs_stalled_total",
    "counter",
    [],
    "both",
    "Trial jobs whose worker lost the lock (crashed or blocked) and that BullMQ moved back to wait.",
  ),
  queueJobs: family(
    "hpo_queue_jobs",
    "gauge",
    ["queue", "state"],
    "coordinator",
    "Jobs in each BullMQ queue by state (waiting, active, delayed, prioritized, waiting-children, paused, completed, failed), read at scrape time.",
  ),
  sweepBestScore: family(
    "hpo_sweep_best_score",
    "gauge",
    ["sweep", "metric"],
    "coordinator",
    "Best K-fold mean score of each running sweep; the series is removed when the sweep ends.",
  ),
  sweepsRunning: family("hpo_sweeps_running", "gauge", [], "coordinator", "Sweeps currently running."),
  httpRequestDuration: family(
    "hpo_http_request_duration_seconds",
    "histogram",
    ["route", "method", "status"],
    "coordinator",
    "API request duration by route pattern (e.g. /api/sweeps/:id, never the raw URL), method and status code.",
  ),
  tfjsBackend: family(
    "hpo_tfjs_backend_info",
    "gauge",
    ["backend"],
    "worker",
    "Always 1, labelled with the TensorFlow.js backend in use (tensorflow-gpu, tensorflow, wasm, cpu).",
  ),
  tfjsTensors: family(
    "hpo_tfjs_tensors",
    "gauge",
    [],
    "worker",
    "Live TensorFlow.js tensors in the training threads (last report); growth means a leak.",
  ),
  redisCommandDuration: family(
    "hpo_redis_command_duration_seconds",
    "histogram",
    ["command"],
    "both",
    "Round trip of a Redis command from this process, measured with a PING at every scrape.",
  ),
  redisErrors: family(
    "hpo_redis_command_errors_total",
    "counter",
    ["command"],
    "both",
    "Redis commands measured by this process that failed or timed out.",
  ),
} as const satisfies Record<string, MetricFamily>;

/** All families, for docs and tests. */
export const METRIC_FAMILIES: readonly MetricFamily[] = Object.values(FAMILIES);
