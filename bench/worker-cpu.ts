/**
 * Worker CPU per `noop` job (issue 8 part 2, round 3): one process runs either the real worker
 * (createWorker: store, metrics, trial log, BullMQ) or a bare BullMQ Worker with an empty
 * processor (`--bare`) on `--jobs` (1,000) noop trials that were proposed and enqueued into a
 * paused queue beforehand; the queue is then resumed and the process's CPU is measured until the
 * last trial finished, split into the main thread and the other threads (V8's background
 * compilers, GC helpers). Much less noisy than `bench:overhead` (no coordinator, no start-up), so
 * it resolves changes of a few percent in the worker's own cost. 1,000 jobs is what each of the
 * two workers of `bench:overhead` runs: code that is costly to optimise shows up there.
 *
 *   REDIS_URL=redis://127.0.0.1:6391 node --import tsx bench/worker-cpu.ts [--jobs 1000] [--concurrency 32] [--bare] [--json]
 *
 * Run it with `node --import tsx`, not the `tsx` command: under `tsx` the worker's training
 * thread starts without a TensorFlow.js backend ("No backend found in registry").
 */
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import { bulkJobOf, trialJobOf } from "../apps/coordinator/src/trial-jobs.ts";
import { createWorker } from "../apps/worker/src/worker.ts";
import { parseSweepSpec } from "../packages/core/src/index.ts";
import { createMetricsRegistry, createWorkerMetrics } from "../packages/metrics/src/index.ts";
import { createStore, deleteKeysUnder, TRIALS_QUEUE } from "../packages/store/src/index.ts";
import { flag, numArg } from "./lib/args.ts";
import { bullmq, REDIS_URL, Redis } from "./lib/stack.ts";

const requireFromWorker = createRequire(new URL("../apps/worker/package.json", import.meta.url));
const { pino } = requireFromWorker("pino") as typeof import("pino");

const n = numArg("jobs", 1000);
const concurrency = numArg("concurrency", 32);
const bare = flag("bare");

/** CPU ms of this process so far: [main thread, other threads] (Linux /proc). */
function threadCpu(): [number, number] {
  let main = 0;
  let other = 0;
  for (const tid of readdirSync("/proc/self/task")) {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ms = (Number(f[11]) + Number(f[12])) * 10;
    if (tid === String(process.pid)) main += ms;
    else other += ms;
  }
  return [main, other];
}

const redis = new Redis(REDIS_URL, { enableAutoPipelining: true });
const prefix = `bench-worker-cpu-${randomUUID()}`;
const store = createStore({ redis, prefix });
const spec = parseSweepSpec({
  name: "worker-cpu",
  method: "random",
  dataset: "digits",
  metric: { name: "val_accuracy", goal: "maximize" },
  parameters: { learning_rate: { distribution: "log_uniform_values", min: 1e-4, max: 1e-1 } },
  cv: { folds: 3, stratified: true, seed: 0 },
  budget: { max_trials: n, max_parallel: 256, max_epochs: 5 },
});
const sweep = await store.createSweep(spec);
const queue = new bullmq.Queue(TRIALS_QUEUE, { connection: redis, prefix });
let finish: () => Promise<void> = async () => {};
try {
  await queue.pause();
  for (let i = 0; i < n; i += 500) {
    const batch = Array.from({ length: Math.min(500, n - i) }, (_, j) => ({
      index: i + j,
      params: { learning_rate: 0.001 * (1 + ((i + j) % 7)), batch_size: 32, dropout: 0.1, optimizer: "adam" },
    }));
    const trials = await store.proposeTrials(sweep.id, batch);
    await queue.addBulk(trials.map((t) => bulkJobOf(trialJobOf(sweep.id, spec, t, "noop"))));
  }
  let done = 0;
  let resolveAll!: () => void;
  const all = new Promise<void>((r) => {
    resolveAll = r;
  });
  const count = () => {
    if (++done === n) resolveAll();
  };
  if (bare) {
    const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const worker = new bullmq.Worker(
      TRIALS_QUEUE,
      async () => {
        count();
        return null;
      },
      { connection, prefix, concurrency, autorun: false },
    );
    void worker.run();
    finish = async () => {
      await worker.close();
      await connection.quit();
    };
  } else {
    const finishTrial = store.finishTrial.bind(store);
    const counted = Object.assign(Object.create(store) as typeof store, {
      finishTrial: async (...args: Parameters<typeof store.finishTrial>) => {
        const r = await finishTrial(...args);
        count();
        return r;
      },
    });
    const registry = createMetricsRegistry({ role: "worker", process: "worker-cpu" });
    const worker = createWorker({
      redisUrl: REDIS_URL,
      prefix,
      store: counted,
      metrics: createWorkerMetrics(registry, { concurrency }),
      name: "worker-cpu",
      logger: pino({ level: "info" }, pino.destination({ dest: "/dev/null", sync: false })),
      concurrency,
      threads: 1,
      backend: "cpu",
    });
    await worker.start(); // resolves once the training thread selected its backend: its start is not measured
    finish = () => worker.close();
  }
  await new Promise((r) => setTimeout(r, 300)); // start-up work settles
  const [main0, other0] = threadCpu();
  const t0 = performance.now();
  await queue.resume();
  await all;
  const seconds = (performance.now() - t0) / 1000;
  const [main1, other1] = threadCpu();
  const r = {
    mode: bare ? "bare" : "hpo",
    jobs: n,
    perSecond: Math.round(n / seconds),
    cpuMsPerJob: Number(((main1 - main0 + other1 - other0) / n).toFixed(3)),
    mainThreadMs: main1 - main0,
    otherThreadsMs: other1 - other0,
  };
  if (flag("json")) console.log(JSON.stringify(r));
  else
    console.log(
      `${r.mode}: ${n} noop jobs, ${r.perSecond} jobs/s, ${r.cpuMsPerJob} CPU ms per job ` +
        `(main thread ${r.mainThreadMs} ms, other threads ${r.otherThreadsMs} ms)`,
    );
} finally {
  await finish();
  await queue.close();
  await deleteKeysUnder(redis, prefix);
  await redis.quit();
}
process.exit(0);
