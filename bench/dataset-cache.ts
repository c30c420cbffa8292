/**
 * Reading a dataset once: 50 trials of one sweep on a 200,000-row mixed-type CSV (numeric columns
 * with gaps, categorical ones, a label), trained the way a worker's training thread trains them
 * (`trainTrial`: load, split, encode each fold, train), with the dataset cache as the worker
 * uses it ("once": parsed by the first trial, reused while the file's size and mtime stay) and
 * with the cache emptied before every trial ("per trial": what reading per trial costs). Both runs
 * in the same process, one after the other; the trials are small (1 epoch, [8] hidden units,
 * batch 4096) so that reading shows against training. Prints wall and process CPU time.
 *
 *   pnpm exec tsx bench/dataset-cache.ts [--rows 200000] [--trials 50]
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { createRng, type TrialJob } from "../packages/core/src/index.ts";
import { clearDatasetCache, loadDataset, selectBackend, trainTrial } from "../packages/trainer/src/index.ts";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const rows = arg("--rows", 200_000);
const trials = arg("--trials", 50);

const dir = mkdtempSync(join(tmpdir(), "hpo-bench-dataset-"));
const rng = createRng(1);
const lines = ["age,fare,sibsp,port,deck,ticket,y"];
for (let i = 0; i < rows; i++) {
  const y = rng.next() < 0.35 ? 1 : 0;
  const age = rng.next() < 0.15 ? "" : (30 + 12 * rng.normal() - 4 * y).toFixed(0);
  const fare = rng.next() < 0.02 ? "NA" : (20 + 15 * rng.normal() + 10 * y).toFixed(2);
  const port = ["S", "C", "Q", ""][rng.int(0, 3)];
  const deck = rng.next() < 0.7 ? "" : "ABCDEFG"[rng.int(0, 6)];
  lines.push(`${age},${fare},${rng.int(0, 5)},${port},${deck},T${rng.int(1, 300)},${y}`);
}
writeFileSync(join(dir, "big.csv"), `${lines.join("\n")}\n`);
const mb = statSync(join(dir, "big.csv")).size / 1e6;

const backend = await selectBackend("wasm");
const job = (i: number): TrialJob => ({
  sweepId: "bench",
  trialId: `t${String(i).padStart(4, "0")}`,
  params: { learning_rate: 0.01, batch_size: 4096, optimizer: "adam" },
  dataset: { path: "big.csv", label: "y", task: "classification" },
  model: { hidden: [8], activation: "relu" },
  cv: { folds: 5, stratified: true, seed: 0 },
  metric: { name: "val_auc", goal: "maximize" },
  maxEpochs: 1,
  seed: i,
});
const reporter = { report: async () => false };
const signal = new AbortController().signal;

async function run(label: string, perTrial: boolean): Promise<void> {
  clearDatasetCache();
  let parses = 0;
  let parseMs = 0;
  let last: unknown;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < trials; i++) {
    if (perTrial) clearDatasetCache();
    // the trial's own load, timed: a parse, or a cache hit (then trainTrial's load hits too)
    const p0 = performance.now();
    const cached = loadDataset(job(i).dataset, { dataDirs: [dir] }) === last;
    if (!cached) {
      parses++;
      parseMs += performance.now() - p0;
    }
    last = loadDataset(job(i).dataset, { dataDirs: [dir] });
    const out = await trainTrial(job(i), reporter, signal, { dataDirs: [dir] });
    if (out.state !== "completed") throw new Error(`${label}: trial ${i} ${out.state}: ${out.error}`);
    if (i === 0 && out.folds[0]?.metrics.val_auc === undefined) throw new Error("no val_auc");
  }
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  console.log(
    `${label.padEnd(10)} ${trials} trials: ${wall.toFixed(1)} s wall (${((wall / trials) * 1000).toFixed(0)} ms/trial), ` +
      `${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU; parses: ${parses} (${(parseMs / 1000).toFixed(1)} s)`,
  );
}

console.log(
  `dataset-cache: ${rows.toLocaleString("en-US")} rows, ${mb.toFixed(1)} MB, 7 columns (5 folds, 1 epoch per trial), backend ${backend.name}, load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
await run("per trial", true);
await run("once", false);
rmSync(dir, { recursive: true, force: true });
