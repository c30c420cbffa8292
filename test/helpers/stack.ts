/**
 * The usual e2e stack: a Redis connection, the trials queue under a fresh prefix, an in-process
 * coordinator, and worker processes. `close()` tears all of it down (workers first) and deletes
 * the prefix's keys.
 */
import { deleteKeysUnder, TRIALS_QUEUE } from "@hpo/store";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll } from "vitest";
import { type InProcessCoordinator, startCoordinator } from "./coordinator.ts";
import { type Proc, REDIS_URL, startWorkerProcess } from "./processes.ts";

export interface E2eStack {
  readonly redis: Redis;
  /** The trials queue (BullMQ) under the stack's prefix. */
  readonly queue: Queue;
  readonly coordinator: InProcessCoordinator;
  /** Started workers; push processes started later so that `close()` stops them too. */
  readonly workers: Proc[];
  /** Stops the workers with `signal` (default SIGTERM), closes coordinator, queue, deletes keys, quits Redis. */
  close(signal?: NodeJS.Signals): Promise<void>;
}

export interface E2eStackOptions {
  readonly prefix: string;
  /** Coordinator options besides the prefix (mode defaults to "tfjs"). */
  readonly coordinator?: Omit<Parameters<typeof startCoordinator>[0], "prefix">;
  /** Names of worker processes to start (in parallel). Default none. */
  readonly workers?: readonly string[];
  /** Environment of every worker process, over the usual one (e.g. `HPO_WORKER_CONCURRENCY`). */
  readonly workerEnv?: Readonly<Record<string, string>>;
}

/** Starts the stack; on a failure, closes what was started and rethrows. */
export async function startE2eStack(opts: E2eStackOptions): Promise<E2eStack> {
  const { prefix } = opts;
  const redis = new Redis(REDIS_URL);
  const queue = new Queue(TRIALS_QUEUE, { connection: redis, prefix });
  const workers: Proc[] = [];
  let coordinator: InProcessCoordinator | undefined;
  const close = async (signal: NodeJS.Signals = "SIGTERM") => {
    await Promise.all(workers.map((w) => w.stop(signal)));
    await coordinator?.close();
    await queue.close();
    await deleteKeysUnder(redis, prefix);
    await redis.quit();
  };
  try {
    coordinator = await startCoordinator({ mode: "tfjs", ...opts.coordinator, prefix });
    const started = await Promise.allSettled(
      (opts.workers ?? []).map((name) => startWorkerProcess({ prefix, name, env: opts.workerEnv })),
    );
    for (const s of started) if (s.status === "fulfilled") workers.push(s.value);
    const failed = started.find((s) => s.status === "rejected");
    if (failed) throw failed.reason;
    return { redis, queue, coordinator, workers, close };
  } catch (e) {
    await close("SIGKILL");
    throw e;
  }
}

/**
 * Registers the hooks of an e2e describe block: beforeAll starts the stack (`startE2eStack`),
 * afterAll closes it with `closeSignal` (default SIGTERM). The returned stack's parts are readable
 * once beforeAll has run (reading them before throws).
 */
export function e2eStackPerSuite(opts: E2eStackOptions, closeSignal?: NodeJS.Signals): E2eStack {
  let stack: E2eStack | undefined;
  const started = (): E2eStack => {
    if (!stack) throw new Error("e2eStackPerSuite: the stack starts in beforeAll");
    return stack;
  };
  beforeAll(async () => {
    stack = await startE2eStack(opts);
  });
  afterAll(async () => {
    await stack?.close(closeSignal);
  });
  return {
    get redis() {
      return started().redis;
    },
    get queue() {
      return started().queue;
    },
    get coordinator() {
      return started().coordinator;
    },
    get workers() {
      return started().workers;
    },
    close: (signal) => started().close(signal),
  };
}
