import { createStore, deleteKeysUnder, type Store, TRIALS_QUEUE } from "@hpo/store";
import { TEST_REDIS_URL, uniquePrefix } from "@hpo/store/testing";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { pino } from "pino";
import { createWorker, type HpoWorker, type WorkerOptions } from "../worker.ts";
import { TEST_MODEL_DIR } from "./test-model-dir.ts";

/** What a worker test runs on: the shared Redis, a store and the trials queue under a prefix of its own. */
export interface WorkerTestbed {
  readonly prefix: string;
  readonly redis: Redis;
  readonly store: Store;
  /** The trials queue (BullMQ) under `prefix`: add jobs to it as the coordinator does. */
  readonly queue: Queue;
  /**
   * A worker named `name` on the testbed (its store, a silent logger, the cpu backend, the test
   * model folder allowed), with `options` on top. Not started; the caller closes it.
   */
  worker(name: string, options?: Partial<WorkerOptions>): HpoWorker;
  /** Closes the queue, deletes the prefix's keys and closes the store and Redis (not the workers). */
  close(): Promise<void>;
}

/** Opens a testbed under a new prefix (`uniquePrefix()`). */
export function openWorkerTestbed(): WorkerTestbed {
  const prefix = uniquePrefix();
  const redis = new Redis(TEST_REDIS_URL);
  const store = createStore({ redis, prefix });
  const queue = new Queue(TRIALS_QUEUE, { connection: redis, prefix });
  return {
    prefix,
    redis,
    store,
    queue,
    worker: (name, options = {}) =>
      createWorker({
        redisUrl: TEST_REDIS_URL,
        prefix,
        name,
        logger: pino({ level: "silent" }),
        store,
        backend: "cpu",
        modelDirs: [TEST_MODEL_DIR],
        ...options,
      }),
    async close() {
      await queue.close();
      await deleteKeysUnder(redis, prefix);
      await store.close();
      await redis.quit();
    },
  };
}
