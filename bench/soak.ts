/**
 * Soak: 2,000 trials of a tiny real model (iris, one hidden layer of 4, 2 folds, 2 epochs) on 2
 * worker processes and a coordinator process, on a private redis-server (AOF everysec). Samples
 * every worker's live tfjs tensor count (from its "trial finished" log lines) and RSS (from
 * /proc) through the run and prints them. Goal: a flat tensor count and RSS growth < 50 MB after
 * warm-up (the first 10 % of trials). Not part of `vitest run`.
 *
 * With `--huge N`, after the soak: the issue-18 sweep (digits, hidden [4096 × 8]) is submitted
 * and must be refused (400); then a trial past that check (test/faults/fixtures/huge-trial.ts)
 * faults a worker's wasm runtime for real, twice (one retry); worker RSS is sampled every 100 ms
 * through it; then N more soak trials run. Prints each worker's RSS before, at the peak, after the
 * fault (its thread replaced) and after the N trials.
 *
 *   pnpm exec tsx bench/soak.ts [--trials 2000] [--sample-ms 5000] [--huge 200]
 */
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { sleep } from "../packages/core/src/testing/wait-for.ts";
import { createHugeSweep, DEEP_SWEEP } from "../test/faults/fixtures/huge-trial.ts";
import { startPrivateRedis } from "../test/faults/private-redis.ts";
import { apiClient } from "../test/helpers/api.ts";
import { type Proc, startCoordinatorProcess, startWorkerProcess } from "../test/helpers/processes.ts";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const TRIALS = arg("trials", 2000);
const SAMPLE_MS = arg("sample-ms", 5000);
const HUGE_AFTER = arg("huge", 0);
const prefix = "soak";

const specOf = (name: string, trials: number) => `
name: ${name}
method: random
seed: 7
dataset: iris
parameters:
  learning_rate: { distribution: log_uniform_values, min: 0.001, max: 0.1 }
  batch_size: { values: [16, 32, 64] }
  optimizer: { values: [adam, sgd, rmsprop] }
model: { hidden: [4], activation: relu }
cv: { folds: 2 }
budget: { max_trials: ${trials}, max_parallel: 4, max_epochs: 2 }
`;
const SPEC = specOf("soak", TRIALS);

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
  if (HUGE_AFTER > 0) await hugeTrial(coordinator.url, workers, HUGE_AFTER);
} finally {
  await Promise.all(procs.map((p) => p.stop("SIGTERM")));
  await redis.close();
}

/** The `--huge` phase (see the header): RSS of every worker around a refused and a faulting huge trial. */
async function hugeTrial(url: string, workers: Proc[], after: number): Promise<void> {
  const api = apiClient(url);
  const rss = () => workers.map((w) => rssMb(w.pid));
  const fmt = (xs: number[]) => xs.map((x) => `${x.toFixed(0)} MB`).join(" / ");
  const before = rss();
  console.log(`\nhuge trial: worker RSS before ${fmt(before)}`);
  const refused = await fetch(`${url}/api/sweeps`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(DEEP_SWEEP),
  });
  console.log(
    `  issue's sweep at submit: ${refused.status} ${((await refused.json()) as { error: { message: string } }).error.message}`,
  );
  const peak = [...before];
  const hugeId = await createHugeSweep(redis.url, prefix);
  const t0 = Date.now();
  for (;;) {
    rss().forEach((r, i) => {
      peak[i] = Math.max(peak[i] ?? 0, r);
    });
    const t = (await api.trials(hugeId)).items[0];
    if (t?.state === "failed") {
      console.log(
        `  trial past the check: ${t.state} after ${t.attempts} attempts in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${t.error}`,
      );
      break;
    }
    await sleep(100);
  }
  // every faulted thread replaced and ready again (a fresh thread selects its backend first)
  const count = (w: Proc, end: string) => w.logs().filter((r) => String(r.msg).endsWith(end)).length;
  const faults = workers.map((w) => count(w, "runtime fault; replacing the thread"));
  const ready = () => workers.every((w, i) => count(w, "fresh thread ready (wasm)") >= (faults[i] ?? 0));
  for (let waited = 0; !ready() && waited < 60_000; waited += 250) await sleep(250);
  const afterFault = rss();
  const next = await api.submit(specOf("soak-after", after));
  for (;;) {
    await sleep(1000);
    const s = await api.sweep(next.id);
    if (s.status !== "running") {
      console.log(`  ${after} more trials: ${s.status} ${JSON.stringify(s.counts)}`);
      break;
    }
  }
  const end = rss();
  console.log(`  worker RSS peak during the fault ${fmt(peak)}`);
  console.log(`  worker RSS once the faulted threads were replaced ${fmt(afterFault)} (faults: ${faults.join(" / ")})`);
  console.log(`  worker RSS after ${after} more trials ${fmt(end)}`);
  console.log(
    `  difference to before: ${end.map((e, i) => `${e - (before[i] ?? 0) >= 0 ? "+" : ""}${(e - (before[i] ?? 0)).toFixed(1)} MB`).join(" / ")}`,
  );
}
