/**
 * Worker process: the only file of the worker that reads env and handles signals. Env
 * (docs/CONTRACTS.md): REDIS_URL, HPO_PREFIX, HPO_BACKEND, HPO_WORKER_CONCURRENCY,
 * HPO_WORKER_NAME, HPO_DATA_DIRS. SIGTERM/SIGINT: stop taking jobs, let running trials finish
 * for up to HPO_CLOSE_GRACE_MS (default 10 s), then hand them back to the queue and exit.
 */
import { hostname } from "node:os";
import { pino } from "pino";
import { createWorker } from "./worker.ts";

const name = process.env.HPO_WORKER_NAME || `${hostname()}-${process.pid}`;
const logger = pino({ name: "worker", level: process.env.LOG_LEVEL ?? "info" }).child({ worker: name });
const concurrency = Math.max(1, Number.parseInt(process.env.HPO_WORKER_CONCURRENCY ?? "1", 10) || 1);
const worker = createWorker({
  redisUrl: process.env.REDIS_URL || "redis://127.0.0.1:6379",
  prefix: process.env.HPO_PREFIX || "hpo",
  name,
  logger,
  concurrency,
  backend: process.env.HPO_BACKEND || "auto",
  dataDirs: (process.env.HPO_DATA_DIRS || "./data").split(":").filter(Boolean),
  closeGraceMs: Number(process.env.HPO_CLOSE_GRACE_MS ?? 10_000),
});

try {
  await worker.start();
} catch (err) {
  logger.fatal({ err: err instanceof Error ? err.message : String(err) }, "worker failed to start");
  await worker.close().catch(() => {});
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
  logger.info("worker stopped");
  process.exit(0);
};
process.on("SIGTERM", () => void stop("SIGTERM"));
process.on("SIGINT", () => void stop("SIGINT"));
