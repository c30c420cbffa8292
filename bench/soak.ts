/**
 * Soak: 2,000 trials of a tiny real model (iris, one hidden layer of 4, 2 folds, 2 epochs) on 2
 * worker processes and a coordinator process, on a private redis-server (AOF everysec). Samples
 * every worker's live tfjs tensor count (from its "trial finished" log lines) and RSS (from
 * /proc) through the run and prints them. Goal: a flat tensor count and RSS growth < 50 MB after
 * warm-up (the first 10 % of trials). Not part of `vitest run`.
 *
 *   pnpm exec tsx bench/soak.ts [--trials 2000] [--sample-ms 5000]
 */
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { startPrivateRedis } from "../test/faults/private-redis.ts";
import { apiClient } from "../test/helpers/api.ts";
import { type Proc, startCoordinatorProcess, startWorkerProcess } from "../test/helpers/processes.ts";
import { sleep } from "../test/helpers/wait-for.ts";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const TRIALS = arg("trials", 2000);
const SAMPLE_MS = arg("sample-ms", 5000);
const prefix = "soak";

const SPEC = `
name: soak
method: random
seed: 7
dataset: iris
parameters:
  learning_rate: { distribution: log_uniform_values, min: 0.001, max: 0.1 }
  batch_size: { values: [16, 32, 64] }
  optimizer: { values: [adam, sgd, rmsprop] }
model: { hidden: [4], activation: relu }
cv: { folds: 2 }
budget: { max_trials: ${TRIALS}, max_parallel: 4, max_epochs: 2 }
`;

const rssMb = (pid: number): number => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : Number.NaN;
};
const lastTensors = (w: Proc): number | undefined => {
  const logs = w.logs();
  for (let i = logs.length - 1; i >= 0; i--) {
    const r = logs[i] as Record<string, unknown>;
    if (r.msg === "trial finished" && typeof r.tensors === "number") return r.tensors;
  }
  return undefined;
};

interface Sample {
  readonly seconds: number;
  readonly done: number;
  readonly tensors: (number | undefined)[];
  readonly rss: number[];
}

const redis = await startPrivateRedis();
const env = { REDIS_URL: redis.url, LOG_LEVEL: "info" };
const procs: Proc[] = [];
try {
  const [coordinator, ...workers] = await Promise.all([
    startCoordinatorProcess({ prefix, env }),
    startWorkerProcess({ prefix, name: "soak-w1", env }),
    startWorkerProcess({ prefix, name: "soak-w2", env }),
  ]);
  procs.push(coordinator.proc, ...workers);
  const backend = workers[0]?.logs().find((r) => r.msg === "training backend selected");
  const baseline = workers.map((w) => w.logs().find((r) => r.msg === "training backend selected")?.tensors);
  console.log(
    `soak: ${TRIALS} trials, 2 workers, backend ${backend?.backend}, tensors after backend selection ${baseline.join("/")}`,
  );
  const api = apiClient(coordinator.url);
  const started = Date.now();
  const sweep = await api.submit(SPEC);
  const samples: Sample[] = [];
  for (;;) {
    await sleep(SAMPLE_MS);
    const s = await api.sweep(sweep.id);
    const done = TRIALS - s.counts.queued - s.counts.running - (TRIALS - s.proposed);
    const sample = {
      seconds: Math.round((Date.now() - started) / 1000),
      done,
      tensors: workers.map(lastTensors),
      rss: workers.map((w) => rssMb(w.pid)),
    };
    samples.push(sample);
    console.log(
      `t=${String(sample.seconds).padStart(4)} s  trials ${String(done).padStart(4)}/${TRIALS}  tensors ${sample.tensors.join("/")}  RSS MB ${sample.rss.map((r) => r.toFixed(0)).join("/")}`,
    );
    if (s.status !== "running") {
      console.log(`sweep ${s.status}: ${JSON.stringify(s.counts)}`);
      break;
    }
  }
  const warm = samples.find((s) => s.done >= TRIALS * 0.1) ?? samples[0];
  const last = samples[samples.length - 1];
  if (warm && last) {
    const seconds = last.seconds;
    console.log("\nsummary");
    console.log(`  trials/s: ${(last.done / seconds).toFixed(1)} (load average ${loadavg()[0]?.toFixed(1)})`);
    for (let i = 0; i < workers.length; i++) {
      const ts = samples.map((s) => s.tensors[i]).filter((t): t is number => t !== undefined);
      const growth = (last.rss[i] ?? 0) - (warm.rss[i] ?? 0);
      console.log(
        `  worker ${i + 1}: tensors min ${Math.min(...ts)} max ${Math.max(...ts)} last ${ts[ts.length - 1]}; RSS ${warm.rss[i]?.toFixed(0)} MB after warm-up (${warm.done} trials) → ${last.rss[i]?.toFixed(0)} MB at the end: ${growth >= 0 ? "+" : ""}${growth.toFixed(1)} MB`,
      );
    }
  }
} finally {
  await Promise.all(procs.map((p) => p.stop("SIGTERM")));
  await redis.close();
}
