/**
 * Coordinator process: the only file of the coordinator that reads env, listens and handles
 * signals. Env (docs/CONTRACTS.md): REDIS_URL, HPO_PREFIX, HPO_PORT, HPO_HOST, HPO_TOKEN (else
 * the file named by HPO_TOKEN_FILE, e.g. a mounted secret): every scope; HPO_SUBMIT_TOKEN (or
 * HPO_SUBMIT_TOKEN_FILE): submit and read; HPO_READ_TOKEN (or HPO_READ_TOKEN_FILE): read only
 * (auth.ts ApiTokens); HPO_AUTH_READS=1 (reads need a token too), HPO_DATA_DIRS (the workers' data directories: a sweep's CSV file found there is
 * checked at submit). HPO_TRIAL_MODE=noop makes workers score trials without training (benchmarks
 * and orchestration tests). Nothing else is read from the working directory: `hpo up` passes the
 * token of `.hpo/token` in HPO_TOKEN, so a coordinator started by a test or benchmark from a
 * folder where `hpo up` once ran does not turn on auth behind its back. Refuses to start (exit 1)
 * on a non-loopback HPO_HOST without a token. HPO_TRIAL_MEMORY_MB: memory one trial may need
 * (default: the smaller of the wasm heap, 4 GB, and half this machine's memory); sweeps whose
 * largest trial needs more are refused. HPO_BACKEND: the TensorFlow.js backend of the refits (a sweep
 * winner's test score, exports; default auto), as the workers read it. HPO_MODEL_DIRS, and the
 * program variables (HPO_PROGRAM_DIRS, HPO_RUNS_DIR, HPO_PROGRAM_ENV, HPO_KILL_GRACE_MS,
 * HPO_FOLD_MEMORY_MB, HPO_FOLD_CPU_SECONDS): as the workers read them, for the refits of model
 * modules and programs (exports).
 */

import type { AddressInfo } from "node:net";
import { totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { WASM_HEAP_BYTES } from "@hpo/core";
import { createCoordinatorMetrics, createMetricsHandler, createMetricsRegistry } from "@hpo/metrics";
import { createStore, redactRedisUrl, redisOptionsOf, TRIALS_QUEUE } from "@hpo/store";
import type { BackendPreference } from "@hpo/trainer";
import { programHostOf, programOptionsOf } from "@hpo/worker/program-refit";
import { Queue } from "bullmq";
import { createApp } from "./app.ts";
import { type ApiTokens, bindRefusal, loadToken, tokensProblem } from "./auth.ts";
import { createDashboard } from "./dashboard/index.ts";
import { createDatasetChecker } from "./dataset-check.ts";
import { createLogger } from "./logger.ts";
import { createCoreProposer } from "./proposer.ts";
import { createRefitter } from "./refits.ts";
import { createScheduler } from "./scheduler.ts";

const logger = createLogger("coordinator", process.env.LOG_LEVEL);
const redisUrl = process.env.REDIS_URL || "redis://127.0.0.1:6379";
const prefix = process.env.HPO_PREFIX || "hpo";
const port = Number(process.env.HPO_PORT ?? 8080);
const host = process.env.HPO_HOST || "127.0.0.1";
let tokens: ApiTokens = {};
try {
  tokens = {
    token: loadToken({ token: process.env.HPO_TOKEN, tokenFile: process.env.HPO_TOKEN_FILE }),
    submitToken: loadToken({ token: process.env.HPO_SUBMIT_TOKEN, tokenFile: process.env.HPO_SUBMIT_TOKEN_FILE }),
    readToken: loadToken({ token: process.env.HPO_READ_TOKEN, tokenFile: process.env.HPO_READ_TOKEN_FILE }),
  };
  const problem = tokensProblem(tokens);
  if (problem) throw new Error(problem);
} catch (e) {
  logger.fatal(`coordinator: ${(e as Error).message}`);
  process.exit(1);
}
const { token, submitToken, readToken } = tokens;
const anyToken = token || submitToken || readToken;
const refusal = bindRefusal(host, anyToken);
if (refusal) {
  logger.fatal({ host }, `coordinator: ${refusal}`);
  process.exit(1);
}
const protectReads = process.env.HPO_AUTH_READS === "1" || process.env.HPO_AUTH_READS === "true";
/** REDIS_URL for logs: the password (and a user name) replaced by "***". */
const redisUrlForLogs = redactRedisUrl(redisUrl);
const mode = process.env.HPO_TRIAL_MODE === "noop" ? "noop" : "tfjs";
// the workers' data directories: a sweep's CSV file found there is checked at submit time
const dataDirs = (process.env.HPO_DATA_DIRS || "./data").split(":").filter(Boolean);
const trialMemoryMb = Number(process.env.HPO_TRIAL_MEMORY_MB);
if (process.env.HPO_TRIAL_MEMORY_MB && !(trialMemoryMb > 0)) {
  logger.fatal(`HPO_TRIAL_MEMORY_MB must be a number of megabytes > 0, got "${process.env.HPO_TRIAL_MEMORY_MB}"`);
  process.exit(1);
}
const trialMemory = {
  bytes: trialMemoryMb > 0 ? trialMemoryMb * 2 ** 20 : Math.min(WASM_HEAP_BYTES, totalmem() / 2),
  name: "HPO_TRIAL_MEMORY_MB",
};
const staticDir = fileURLToPath(new URL("../../dashboard/dist", import.meta.url));

const store = createStore({ url: redisUrl, prefix });
// Metrics (docs/metrics.md): a queue handle only for job counts; Redis latency via the store's PING.
const metricsQueue = new Queue(TRIALS_QUEUE, { connection: redisOptionsOf(redisUrl), prefix });
metricsQueue.on("error", (err) => logger.warn({ err: err.message }, "metrics queue: redis error"));
const registry = createMetricsRegistry({ role: "coordinator", process: "coordinator" });
const metrics = createCoordinatorMetrics(registry, {
  queues: [metricsQueue],
  redis: {
    ping: async () => {
      if (!(await store.ping())) throw new Error("redis does not answer");
    },
  },
});
const backend = (process.env.HPO_BACKEND || "auto") as BackendPreference;
// model modules the refits run (a module sweep's winner, its exports): the workers' HPO_MODEL_DIRS
const modelDirs = (process.env.HPO_MODEL_DIRS ?? "").split(":").filter(Boolean);
// program trials' refits run here, under the workers' rules (HPO_PROGRAM_DIRS, HPO_RUNS_DIR, HPO_PROGRAM_ENV, limits)
const programs = programHostOf(programOptionsOf(process.env));
const refits = createRefitter({ store, logger, dataDirs, modelDirs, programs, backend });
const scheduler = createScheduler({
  store,
  redisUrl,
  prefix,
  logger,
  propose: createCoreProposer(),
  mode,
  metrics,
  // noop trials train nothing: there is nothing to refit
  ...(mode === "tfjs" && {
    beforeCompleted: refits.markPending,
    onCompleted: (sweepId: string) => void refits.scoreWinner(sweepId),
  }),
});
const dashboard = createDashboard({ store, staticDir, redisUrl });
const datasets = createDatasetChecker(dataDirs);
const app = createApp({
  store,
  datasets,
  scheduler,
  refits,
  logger,
  ...(token && { token }),
  ...(submitToken && { submitToken }),
  ...(readToken && { readToken }),
  protectReads,
  trialMemory,
  staticDir,
  dashboard: dashboard.router,
  metrics: { http: metrics.http, handler: createMetricsHandler(registry) },
});

await scheduler.start();
if (mode === "tfjs") void refits.resumePending();
const server = app.listen(port, host, () => {
  const { port: bound } = server.address() as AddressInfo;
  logger.info(
    {
      url: `http://${host}:${bound}`,
      prefix,
      redisUrl: redisUrlForLogs,
      auth: Boolean(anyToken),
      scopedTokens: [submitToken && "submit", readToken && "read"].filter(Boolean),
      protectReads,
      mode,
      trialMemoryMb: Math.round(trialMemory.bytes / 2 ** 20),
    },
    "coordinator listening",
  );
});
server.on("error", (err) => {
  logger.fatal({ err }, "coordinator: cannot listen");
  process.exit(1);
});

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "coordinator stopping");
  const force = setTimeout(() => process.exit(1), 10_000);
  force.unref();
  server.closeAllConnections?.();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await dashboard.close();
  await datasets.close();
  await scheduler.close();
  await refits.close();
  await metricsQueue.close();
  await store.close();
  logger.info("coordinator stopped");
  process.exit(0);
};
process.on("SIGTERM", () => void stop("SIGTERM"));
process.on("SIGINT", () => void stop("SIGINT"));
