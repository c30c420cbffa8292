/**
 * Calibrates the trial memory estimate (@hpo/core `estimateTrialMemory`) against measured peaks:
 * each configuration is trained for one epoch with `trainTrial` in a fresh child process (a fresh
 * wasm module), which then reports its wasm heap size (the heap only grows, so its final size is
 * the peak; this is what must fit in the 4 GB wasm32 heap) and its peak RSS (VmHWM) over the RSS
 * after backend selection. Prints both next to the estimate.
 *
 *   pnpm exec tsx packages/trainer/tools/measure-trial-memory.ts [--only <text in the dataset/options>]
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { estimateJobMemory, type TrialJob } from "@hpo/core";
import * as tf from "@tensorflow/tfjs-core";
import { selectBackend, trainTrial } from "../src/index.ts";

interface Config {
  readonly dataset: string;
  readonly hidden: readonly number[];
  readonly batch: number;
  readonly optimizer: string;
  readonly folds: number;
  readonly extra?: Record<string, number | boolean | string>;
}

const CONFIGS: Config[] = [
  { dataset: "iris", hidden: [16], batch: 32, optimizer: "adam", folds: 5 },
  { dataset: "iris", hidden: [1024, 1024], batch: 32, optimizer: "sgd", folds: 5 },
  { dataset: "iris", hidden: [1024, 1024], batch: 32, optimizer: "adam", folds: 5 },
  { dataset: "iris", hidden: [2048, 2048], batch: 32, optimizer: "adam", folds: 5 },
  {
    dataset: "iris",
    hidden: [2048, 2048],
    batch: 32,
    optimizer: "momentum",
    folds: 3,
    extra: { early_stopping_patience: 2 },
  },
  { dataset: "digits", hidden: [1024, 1024, 1024], batch: 128, optimizer: "rmsprop", folds: 5 },
  { dataset: "moons:20000", hidden: [512], batch: 8192, optimizer: "sgd", folds: 5 },
  { dataset: "moons:20000", hidden: [1024, 1024], batch: 4096, optimizer: "adam", folds: 3, extra: { dropout: 0.2 } },
  {
    dataset: "moons:20000",
    hidden: [256, 256],
    batch: 8192,
    optimizer: "adam",
    folds: 5,
    extra: { batch_norm: true },
  },
  { dataset: "moons:20000", hidden: [512, 512], batch: 8192, optimizer: "sgd", folds: 5, extra: { residual: true } },
  { dataset: "wine", hidden: [1536, 1536], batch: 64, optimizer: "adamax", folds: 5, extra: { activation: "elu" } },
];

function jobOf(c: Config): TrialJob {
  return {
    sweepId: "calibrate",
    trialId: "t0000",
    params: { hidden: c.hidden, batch_size: c.batch, optimizer: c.optimizer, ...c.extra },
    dataset: { name: c.dataset, task: "classification" },
    model: { hidden: [64], activation: "relu" },
    cv: { folds: c.folds, stratified: true, seed: 0 },
    metric: { name: "val_accuracy", goal: "maximize" },
    maxEpochs: 1,
    seed: 1,
  };
}

const kB = (field: string) =>
  Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync("/proc/self/status", "utf8"))?.[1]) * 1024;

if (process.argv[2] === "--one") {
  const job = jobOf(JSON.parse(process.argv[3] as string) as Config);
  await selectBackend("wasm");
  const base = kB("VmRSS");
  const out = await trainTrial(job, { report: async () => false }, new AbortController().signal);
  const heap = (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length;
  process.stdout.write(JSON.stringify({ state: out.state, error: out.error, heap, rss: kB("VmHWM") - base }));
} else {
  const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`.padStart(9);
  console.log("dataset        hidden            batch optimizer  K |  estimate heap   total | measured heap peak RSS");
  const at = process.argv.indexOf("--only");
  const only = at > 0 ? (process.argv[at + 1] ?? "") : "";
  for (const c of CONFIGS.filter((c) => JSON.stringify(c).includes(only))) {
    const est = estimateJobMemory(jobOf(c));
    const raw = execFileSync(
      process.execPath,
      ["--import", "tsx", fileURLToPath(import.meta.url), "--one", JSON.stringify(c)],
      {
        encoding: "utf8",
        maxBuffer: 1 << 20,
      },
    );
    const m = JSON.parse(raw.slice(raw.lastIndexOf("{"))) as {
      state: string;
      heap: number;
      rss: number;
      error?: string;
    };
    const name = `${c.dataset} ${JSON.stringify(c.hidden)} ${c.batch} ${c.optimizer}${c.extra ? ` ${JSON.stringify(c.extra)}` : ""}`;
    console.log(
      `${name.padEnd(60)} K=${c.folds} | est ${mb(est?.heapBytes ?? 0)} ${mb(est?.bytes ?? 0)} | ${mb(m.heap)} ${mb(m.rss)} ${m.state}${m.error ? ` ${m.error}` : ""}`,
    );
  }
}
