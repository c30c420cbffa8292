/**
 * Sampler cost: milliseconds per TPE suggestion with 4 parameters after 1,000 and 10,000
 * finished trials (plus a few running ones, which the constant liar reads too).
 * Anchor: Optuna's TPE ≈ 9 ms per suggestion at 1,000 trials (its authors' figure).
 * Goal: ≤ 2 ms at 1,000 and ≤ 10 ms at 10,000.
 * Prints wall time and process CPU time per suggestion: on a shared machine the CPU figure is the
 * one to trust (wall time includes waiting for a core); `uptime` load is printed for context.
 *
 *   pnpm exec tsx bench/sampler-cost.ts [--suggestions 200] [--sizes 100,1000,10000]
 */
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import {
  createRng,
  createSampler,
  type Params,
  parseSweepSpec,
  RandomSampler,
  type SweepSpec,
  samplerRng,
  type TrialRecord,
} from "../packages/core/src/index.ts";

const suggestions = Number(process.argv[process.argv.indexOf("--suggestions") + 1]) || 200;

const spec: SweepSpec = parseSweepSpec({
  name: "sampler-cost",
  method: "tpe",
  dataset: "digits",
  seed: 1,
  parameters: {
    learning_rate: { distribution: "log_uniform_values", min: 1e-5, max: 1 },
    dropout: { min: 0, max: 0.6 },
    batch_size: { distribution: "q_uniform", min: 16, max: 512, q: 16 },
    optimizer: { values: ["sgd", "momentum", "adagrad", "rmsprop", "adam", "adamax"] },
  },
});

/** A history like a real sweep's: half spread at random, half clustered near a good region. */
function history(n: number, running: number): TrialRecord[] {
  const rng = createRng(7);
  const random = new RandomSampler();
  const out: TrialRecord[] = [];
  for (let i = 0; i < n + running; i++) {
    let params: Params = random.sample({ spec, index: i, rng: samplerRng(spec, i), trials: [] });
    if (i % 2 === 1) {
      const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
      params = {
        ...params,
        learning_rate: clamp(3e-3 * Math.exp(0.5 * rng.normal()), 1e-5, 1),
        dropout: clamp(0.2 + 0.05 * rng.normal(), 0, 0.6),
        optimizer: "adam",
      };
    }
    const lr = params.learning_rate as number;
    const mean =
      0.97 - 0.02 * Math.log10(lr / 3e-3) ** 2 - 0.1 * ((params.dropout as number) - 0.2) ** 2 + 0.01 * rng.normal();
    const id = `t${String(i).padStart(5, "0")}`;
    const done = i < n;
    out.push({
      sweepId: "bench",
      id,
      index: i,
      params,
      state: done ? "completed" : "running",
      folds: [],
      ...(done ? { mean, std: 0.01, sem: 0.005 } : {}),
      createdAt: i,
      flags: [],
    });
  }
  return out;
}

function measure(name: string, n: number, sampler = createSampler("tpe")): void {
  const trials = history(n, 4);
  for (let i = 0; i < 20; i++) sampler.sample({ spec, index: n + 4 + i, rng: samplerRng(spec, n + 4 + i), trials }); // warm-up
  const times: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < suggestions; i++) {
    const index = n + 100 + i;
    const t0 = performance.now();
    sampler.sample({ spec, index, rng: samplerRng(spec, index), trials });
    times.push(performance.now() - t0);
  }
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000 / suggestions;
  times.sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  const p50 = times[Math.floor(times.length / 2)] as number;
  const p95 = times[Math.floor(times.length * 0.95)] as number;
  console.log(
    `${name.padEnd(7)} ${String(n).padStart(6)} finished: wall ${mean.toFixed(3)} ms/suggestion (median ${p50.toFixed(3)}, p95 ${p95.toFixed(3)}), CPU ${cpuMs.toFixed(3)} ms/suggestion, over ${suggestions}`,
  );
}

console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(
      " ",
    )}; node ${process.version}, 4 parameters (log-uniform, uniform, q_uniform, categorical of 6), 4 running trials`,
);
const sizesArg = process.argv.indexOf("--sizes");
const sizes =
  sizesArg > 0
    ? String(process.argv[sizesArg + 1])
        .split(",")
        .map(Number)
    : [100, 1000, 10000];
for (const n of sizes) measure("tpe", n);
measure("random", 10000, createSampler("random"));
