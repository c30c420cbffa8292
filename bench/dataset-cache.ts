/**
 * Reading a dataset once per sweep: the dataset side of 50 trials of one sweep on a 200,000-row
 * mixed-type CSV (numeric columns with gaps, categorical ones, a label), as a worker's training
 * thread runs it. Each trial starts with `loadDataset` (what `trainTrial` and the thread's sample
 * count call); "per trial" empties the dataset cache before every trial (reading per trial, the
 * cost this avoids), "once" keeps it as the worker does (parsed by the first trial, reused while
 * the file's size and mtime stay). Both in the same process, one after the other; then one real
 * trial (`trainTrial`: split, encode each fold, 1 epoch, [8] hidden, batch 4096) for scale.
 * Prints wall and process CPU time (on a shared machine the CPU figure is the one to trust).
 *
 *   pnpm exec tsx bench/dataset-cache.ts [--rows 200000] [--trials 50]
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { createRng, type TrialJob } from "../packages/core/src/index.ts";
import { clearDatasetCache, loadDataset, selectBackend, trainTrial } from "../packages/trainer/src/index.ts";
import { testJob } from "../packages/trainer/src/testing/index.ts";

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
const job = (i: number): TrialJob =>
  testJob({
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
const seconds = (us: number) => (us / 1e6).toFixed(1);

function run(label: string, perTrial: boolean): void {
  clearDatasetCache();
  const parsed = new Set<unknown>();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < trials; i++) {
    if (perTrial) clearDatasetCache();
    parsed.add(loadDataset(job(i).dataset, { dataDirs: [dir] }));
  }
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  console.log(
    `${label.padEnd(10)} ${trials} trials: reading ${wall.toFixed(1)} s wall, ${seconds(cpu.user + cpu.system)} s CPU ` +
      `(${((wall / trials) * 1000).toFixed(0)} ms wall per trial); parses: ${parsed.size}`,
  );
}

console.log(
  `dataset-cache: ${rows.toLocaleString("en-US")} rows, ${mb.toFixed(1)} MB, 7 columns, backend ${backend.name}, load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
run("per trial", true);
run("once", false);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const out = await trainTrial(job(0), reporter, signal, { dataDirs: [dir] });
const cpu = process.cpuUsage(cpu0);
console.log(
  `one trial with the dataset cached (5 folds encoded, 1 epoch): ${((performance.now() - t0) / 1000).toFixed(1)} s wall, ` +
    `${seconds(cpu.user + cpu.system)} s CPU; ${out.state}, val_auc ${out.folds.map((f) => f.score.toFixed(3)).join(" ")}`,
);
rmSync(dir, { recursive: true, force: true });
