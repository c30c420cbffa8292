/**
 * Orchestration overhead (issue 8 part 2): a random sweep of `--trials` (2,000) trials in `noop`
 * mode, `--folds` (3) folds, `--epochs` (5) epochs per trial, through the real coordinator process
 * (apps/coordinator/src/main.ts, HPO_TRIAL_MODE=noop), Redis, and `--workers` (2) real worker
 * processes (apps/worker/src/main.ts). Prints trials/s and ms per trial end to end (POST of the
 * sweep → status completed), CPU seconds per process and Redis commands per trial.
 *
 * Reference measured in the same run on the same Redis (the floor): raw BullMQ, `addBulk` of the
 * same number of empty jobs and their processing by 2 Workers of the same total concurrency.
 * Anchor (issue 8): Optuna 3.1 + Redis journal, random sampler, trivial objective ≈ 200 trials/s.
 * Goal: ≥ 1,000 trials/s.
 *
 *   pnpm bench:overhead [--trials 2000] [--folds 3] [--epochs 5] [--parallel 256] [--workers 2]
 *                       [--concurrency 32] [--log-level info] [--skip-floor] [--profile DIR] [--json]
 *                       [--wait-replicas N]
 *
 * --wait-replicas N: workers wait for N replicas on every trial result (HPO_REDIS_WAIT_REPLICAS,
 * docs/operations.md); point REDIS_URL at a primary that has them.
 */
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { flag, numArg, strArg } from "./lib/args.ts";
import { bullmq, deletePrefix, REDIS_URL, Redis, type RedisClient, startStack } from "./lib/stack.ts";
import { submitSweep, sweepEnd } from "./lib/sweep-api.ts";
import { cpuSeconds, redisCommandStats, redisCommands, redisCpu } from "./lib/usage.ts";

const trials = numArg("trials", 2000);
const folds = numArg("folds", 3);
const epochs = numArg("epochs", 5);
const parallel = numArg("parallel", 256);
const nWorkers = numArg("workers", 2);
const concurrency = numArg("concurrency", 32);
const logLevel = strArg("log-level", "info");
const json = flag("json");
const waitReplicas = numArg("wait-replicas", 0);
/** --profile DIR: V8 CPU profiles of the coordinator and workers into DIR (NODE_OPTIONS --cpu-prof). */
const profileDir = strArg("profile", "");

const say = (line: string) => {
  if (!json) console.log(line);
};

/** Raw BullMQ: add `n` empty jobs in bulk and process them with 2 workers; trials/s of that. */
async function floor(
  redis: RedisClient,
  n: number,
): Promise<{ seconds: number; perSecond: number; cpuMsPerJob: number }> {
  const prefix = `bench-floor-${randomUUID()}`;
  const connection = () => new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const conns = [connection(), connection(), connection()];
  const queue = new bullmq.Queue("trials", { connection: conns[0] as RedisClient, prefix });
  let done = 0;
  let resolveAll!: () => void;
  const all = new Promise<void>((r) => {
    resolveAll = r;
  });
  const workers = [1, 2].map(
    (i) =>
      new bullmq.Worker(
        "trials",
        async () => {
          if (++done === n) resolveAll();
          return null;
        },
        {
          connection: conns[i] as RedisClient,
          prefix,
          concurrency: Math.max(1, Math.floor(concurrency)),
          autorun: false,
        },
      ),
  );
  try {
    await Promise.all(workers.map((w) => w.waitUntilReady()));
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const rcpu0 = await redisCpu(redis);
    for (const w of workers) void w.run();
    const opts = { removeOnComplete: true, attempts: 2 };
    for (let i = 0; i < n; i += 500) {
      await queue.addBulk(
        Array.from({ length: Math.min(500, n - i) }, (_, j) => ({
          name: "trial",
          data: {},
          opts: { ...opts, jobId: `s__t${i + j}` },
        })),
      );
    }
    await all;
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6 + (await redisCpu(redis)) - rcpu0;
    return { seconds, perSecond: n / seconds, cpuMsPerJob: (cpuSeconds * 1000) / n };
  } finally {
    await Promise.all(workers.map((w) => w.close()));
    await queue.close();
    for (const c of conns) await c.quit();
    await deletePrefix(redis, prefix);
  }
}

const SWEEP = {
  name: "overhead-noop",
  method: "random",
  seed: 1,
  dataset: "digits",
  metric: { name: "val_accuracy", goal: "maximize" },
  parameters: {
    learning_rate: { distribution: "log_uniform_values", min: 1e-4, max: 1e-1 },
    batch_size: { values: [16, 32, 64, 128] },
    dropout: { min: 0, max: 0.5 },
    optimizer: { values: ["adam", "sgd", "rmsprop"] },
  },
  cv: { folds, stratified: true, seed: 0 },
  budget: { max_trials: trials, max_parallel: parallel, max_epochs: epochs },
};

async function hpo(redis: RedisClient) {
  const prefix = `bench-overhead-${randomUUID()}`;
  const stack = await startStack({
    prefix,
    workers: nWorkers,
    coordinatorEnv: { HPO_TRIAL_MODE: "noop", LOG_LEVEL: "info" },
    workerEnv: {
      HPO_WORKER_CONCURRENCY: String(concurrency),
      HPO_TRAINING_THREADS: "1",
      LOG_LEVEL: logLevel,
      HPO_REDIS_WAIT_REPLICAS: String(waitReplicas),
    },
    nodeArgs: profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [],
  });
  const procs = [stack.coordinator, ...stack.workers];
  try {
    const cpu0 = procs.map((p) => cpuSeconds(p.pid));
    const [rcpu0, rcmd0, stats0] = [await redisCpu(redis), await redisCommands(redis), await redisCommandStats(redis)];
    const t0 = performance.now();
    const id = await submitSweep(stack.url, SWEEP);
    type Sweep = { status: string; counts: Record<string, number>; createdAt: number; finishedAt?: number };
    const samples = { n: 0, queued: 0, running: 0, wait: 0, active: 0 };
    const queue = new bullmq.Queue("trials", { connection: redis, prefix });
    const sweep = await sweepEnd<Sweep>(stack.url, id, async (running) => {
      samples.n++;
      samples.queued += running.counts.queued ?? 0;
      samples.running += running.counts.running ?? 0;
      const jc = await queue.getJobCounts("wait", "active", "prioritized", "delayed");
      samples.wait += (jc.wait ?? 0) + (jc.prioritized ?? 0) + (jc.delayed ?? 0);
      samples.active += jc.active ?? 0;
    });
    const seconds = (performance.now() - t0) / 1000;
    const cpu = procs.map((p, i) => cpuSeconds(p.pid) - (cpu0[i] as number));
    const [rcpu1, rcmd1, stats1] = [await redisCpu(redis), await redisCommands(redis), await redisCommandStats(redis)];
    // per command: calls per trial, descending (shared Redis: other users' commands included)
    const commands = Object.entries(stats1)
      .map(([name, calls]) => [name, (calls - (stats0[name] ?? 0)) / trials] as const)
      .filter(([, perTrial]) => perTrial >= 0.05)
      .sort((a, b) => b[1] - a[1]);
    const storeSeconds = sweep.finishedAt ? (sweep.finishedAt - sweep.createdAt) / 1000 : Number.NaN;
    return {
      status: sweep.status,
      counts: sweep.counts,
      seconds,
      storeSeconds,
      perSecond: trials / seconds,
      msPerTrial: (seconds * 1000) / trials,
      cpu: { coordinator: cpu[0] as number, workers: cpu.slice(1), redis: rcpu1 - rcpu0 },
      redisCommandsPerTrial: (rcmd1 - rcmd0) / trials,
      redisCommandsByName: Object.fromEntries(commands.map(([n, v]) => [n, Number(v.toFixed(2))])),
      cpuMsPerTrial: ((cpu.reduce((a, b) => a + b, 0) + rcpu1 - rcpu0) * 1000) / trials,
      // what the pipeline waits on: many queued = workers are the limit; few = the refill is
      meanQueued: samples.queued / Math.max(1, samples.n),
      meanRunning: samples.running / Math.max(1, samples.n),
      meanWaitingJobs: samples.wait / Math.max(1, samples.n),
      meanActiveJobs: samples.active / Math.max(1, samples.n),
    };
  } finally {
    await stack.stop();
    await deletePrefix(redis, prefix);
  }
}

const redis = new Redis(REDIS_URL);
try {
  say(
    `overhead: ${trials} trials, random, noop, ${folds} folds, ${epochs} epochs, max_parallel ${parallel}, ` +
      `${nWorkers} workers × concurrency ${concurrency}, worker LOG_LEVEL ${logLevel}`,
  );
  const base = flag("skip-floor") ? undefined : await floor(redis, trials);
  if (base) {
    say(
      `floor (raw BullMQ addBulk + 2 workers, empty jobs): ${base.perSecond.toFixed(0)} jobs/s, ` +
        `${base.cpuMsPerJob.toFixed(2)} CPU ms per job (this process + redis)`,
    );
  }
  const r = await hpo(redis);
  say(`hpo: ${r.status} ${JSON.stringify(r.counts)}`);
  say(
    `hpo: ${r.perSecond.toFixed(0)} trials/s, ${r.msPerTrial.toFixed(2)} ms per trial end to end ` +
      `(${r.seconds.toFixed(2)} s; store createdAt→finishedAt ${r.storeSeconds.toFixed(2)} s)`,
  );
  say(
    `in flight (sampled every 200 ms): queued ${r.meanQueued.toFixed(0)}, running ${r.meanRunning.toFixed(0)} on average; BullMQ waiting ${r.meanWaitingJobs.toFixed(0)}, active ${r.meanActiveJobs.toFixed(0)}`,
  );
  say(
    `cpu s: coordinator ${r.cpu.coordinator.toFixed(2)}, workers ${r.cpu.workers.map((c) => c.toFixed(2)).join(" + ")}, ` +
      `redis ${r.cpu.redis.toFixed(2)} (shared) = ${r.cpuMsPerTrial.toFixed(2)} CPU ms per trial; redis commands per trial ≈ ${r.redisCommandsPerTrial.toFixed(1)} (shared)`,
  );
  say(
    `redis calls per trial by command: ${Object.entries(r.redisCommandsByName)
      .map(([n, v]) => `${n} ${v}`)
      .join(", ")}`,
  );
  if (base)
    say(
      `ratio hpo/floor: ${(r.perSecond / base.perSecond).toFixed(2)}; anchor Optuna+Redis ≈ 200 trials/s → ${(r.perSecond / 200).toFixed(1)}×`,
    );
  if (json)
    console.log(
      JSON.stringify({ trials, folds, epochs, parallel, workers: nWorkers, concurrency, floor: base, hpo: r }),
    );
} finally {
  await redis.quit();
}
