/**
 * Worker process: the only file of the worker that reads env and handles signals. Env
 * (docs/CONTRACTS.md): REDIS_URL, HPO_PREFIX, HPO_BACKEND, HPO_WORKER_CONCURRENCY,
 * HPO_TRAINING_THREADS, HPO_WORKER_NAME, HPO_DATA_DIRS, HPO_MODEL_DIRS; metrics (docs/metrics.md): HPO_METRICS_PORT (0 = ephemeral),
 * HPO_METRICS_HOST, HPO_METRICS_SD_DIR, HPO_METRICS_ADVERTISE_HOST. SIGTERM/SIGINT: stop taking
 * jobs, let running trials finish for up to HPO_CLOSE_GRACE_MS (default 10 s), then hand them
 * back to the queue and exit. Fault tolerance (docs/operations.md): HPO_LOCK_MS (BullMQ lock
 * duration, default 30 000), HPO_STALLED_INTERVAL_MS (default 30 000), HPO_MAX_STALLED_COUNT
 * (default 1). Durability under Redis failover (docs/operations.md): HPO_REDIS_WAIT_REPLICAS
 * (default 0: off) replicas must have a trial's result before the worker goes on, waiting at most
 * HPO_REDIS_WAIT_MS (default 1000). Model modules (docs/model-modules.md): HPO_MODEL_DIRS (colon
 * separated; default none: model modules refused).
 * Program trials (docs/CONTRACTS.md): HPO_PROGRAM_DIRS (colon separated; default none: programs
 * refused), HPO_SLOTS (fold processes at once; default the core count), HPO_GPUS (comma separated
 * GPU ids), HPO_PROGRAM_ENV (comma separated names passed on to programs), HPO_RUNS_DIR (default
 * .hpo/runs), HPO_KILL_GRACE_MS (SIGTERM → SIGKILL of a stopped fold, default 5000),
 * HPO_FOLD_MEMORY_MB and HPO_FOLD_CPU_SECONDS (limits of each fold's process group; default none).
 */
import { hostname } from "node:os";
import { createMetricsRegistry, createWorkerMetrics, serveWorkerMetrics, startWorkerStatus } from "@hpo/metrics";
import { createRedis, createStore, keysFor } from "@hpo/store";
import { pino } from "pino";
import { list, programOptionsOf } from "./program/program-options.ts";
import { createWorker } from "./worker.ts";

const name = process.env.HPO_WORKER_NAME || `${hostname()}-${process.pid}`;
// asynchronous stdout: lines logged while a write is in flight go out together (a busy worker
// logs two lines per trial); pino flushes what is left when the process exits
const logger = pino(
  { name: "worker", level: process.env.LOG_LEVEL ?? "info" },
  pino.destination({ dest: 1, sync: false }),
).child({ worker: name });
const concurrency = Math.max(1, Number.parseInt(process.env.HPO_WORKER_CONCURRENCY ?? "1", 10) || 1);
const threads = Math.max(
  1,
  Number.parseInt(process.env.HPO_TRAINING_THREADS ?? String(concurrency), 10) || concurrency,
);
const redisUrl = process.env.REDIS_URL || "redis://127.0.0.1:6379";
const prefix = process.env.HPO_PREFIX || "hpo";
// One connection for the store and the fleet status hash (the store does not close a given client).
const redis = createRedis(redisUrl, { enableAutoPipelining: true }); // as the store would open it
redis.on("error", (err) => logger.warn({ err: err.message }, "worker: redis connection error"));
const waitReplicas = Number(process.env.HPO_REDIS_WAIT_REPLICAS ?? 0);
const store = createStore({
  redis,
  prefix,
  ...(waitReplicas > 0 && {
    waitReplicas: { replicas: waitReplicas, timeoutMs: Number(process.env.HPO_REDIS_WAIT_MS ?? 1_000) },
  }),
});
const registry = createMetricsRegistry({ role: "worker", process: name });
const metrics = createWorkerMetrics(registry, {
  concurrency,
  redis: {
    ping: async () => {
      if (!(await store.ping())) throw new Error("redis does not answer");
    },
  },
});
const endpoint = await serveWorkerMetrics({
  registry,
  name,
  port: Number(process.env.HPO_METRICS_PORT ?? 0),
  host: process.env.HPO_METRICS_HOST || "127.0.0.1",
  ...(process.env.HPO_METRICS_SD_DIR && { sdDir: process.env.HPO_METRICS_SD_DIR }),
  ...(process.env.HPO_METRICS_ADVERTISE_HOST && { advertiseHost: process.env.HPO_METRICS_ADVERTISE_HOST }),
});
logger.info({ url: endpoint.url, sdFile: endpoint.sdFile }, "metrics listening");
// The dashboard's fleet view (GET /api/dashboard/fleet) reads this hash: same figures as Prometheus.
const status = startWorkerStatus({ redis, key: keysFor(prefix).workerStatus(name), metrics, host: hostname() });
const worker = createWorker({
  redisUrl,
  prefix,
  store,
  metrics,
  name,
  logger,
  concurrency,
  threads,
  backend: process.env.HPO_BACKEND || "auto",
  dataDirs: (process.env.HPO_DATA_DIRS || "./data").split(":").filter(Boolean),
  modelDirs: list(process.env.HPO_MODEL_DIRS, ":"),
  closeGraceMs: Number(process.env.HPO_CLOSE_GRACE_MS ?? 10_000),
  ...(process.env.HPO_LOCK_MS && { lockDuration: Number(process.env.HPO_LOCK_MS) }),
  ...(process.env.HPO_STALLED_INTERVAL_MS && { stalledInterval: Number(process.env.HPO_STALLED_INTERVAL_MS) }),
  ...(process.env.HPO_MAX_STALLED_COUNT && { maxStalledCount: Number(process.env.HPO_MAX_STALLED_COUNT) }),
  programs: programOptionsOf(process.env),
});

try {
  await worker.start();
} catch (err) {
  logger.fatal({ err: err instanceof Error ? err.message : String(err) }, "worker failed to start");
  await worker.close().catch(() => {});
  await status.close();
  await endpoint.close();
  await store.close();
  await redis.quit().catch(() => redis.disconnect());
  process.exit(1);
}

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "worker stopping");
  const force = setTimeout(
    () => {
      logger.error("worker did not stop in time; exiting");
      process.exit(1);
    },
    Number(process.env.HPO_CLOSE_GRACE_MS ?? 10_000) + 10_000,
  );
  force.unref();
  await worker.close();
  await status.close();
  await endpoint.close();
  await store.close();
  await redis.quit().catch(() => redis.disconnect());
  logger.info("worker stopped");
  process.exit(0);
};
process.on("SIGTERM", () => void stop("SIGTERM"));
process.on("SIGINT", () => void stop("SIGINT"));
