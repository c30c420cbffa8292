/**
 * Where a packed training epoch's time goes on the current backend (issue 8 analysis): trains
 * the kfold-vs-torch workload (digits, 5 stratified folds, [128, 64] relu, dropout 0.2, Adam 1e-3)
 * for 20 epochs at the given batch size and prints the wall time of training and evaluation, then
 * `tf.profile` of one more epoch summed by kernel (calls, kernel ms), and the GFLOP/s of a single
 * 256×64 · 64×128 `tf.matMul` (the largest product of a batch-256 step) as the backend's ceiling.
 *
 *   pnpm exec tsx packages/trainer/tools/profile-epoch.ts [batch size, default 256]
 */
import { mixSeed } from "@hpo/core";
import * as tf from "@tensorflow/tfjs-core";
import { splitFolds } from "../src/fold-split.ts";
import { loadDataset, prepareFold, selectBackend } from "../src/index.ts";
import { PackedTrainer } from "../src/packed-trainer.ts";
import { parseTrainConfig } from "../src/params.ts";

const batchSize = Number(process.argv[2] ?? 256);
const backend = await selectBackend("wasm");
const data = loadDataset({ name: "digits", task: "classification" });
const folds = splitFolds(data, { folds: 5, stratified: true, seed: 0 }).map((f) => prepareFold(data, f));
const seeds = folds.map((_, f) => mixSeed(0, "fold", f));
const config = parseTrainConfig(
  { learning_rate: 1e-3, batch_size: batchSize, optimizer: "adam", dropout: 0.2 },
  { hidden: [128, 64], activation: "relu" },
);

const trainer = new PackedTrainer(folds, config, "classification", 10, seeds);
let train = 0;
let evaluate = 0;
for (let e = 0; e < 20; e++) {
  const t0 = performance.now();
  await trainer.trainEpoch(1e-3);
  const t1 = performance.now();
  trainer.observe(trainer.evaluate(1e-3));
  evaluate += performance.now() - t1;
  train += t1 - t0;
}
console.log(
  `${backend.name}, batch ${batchSize}, 20 epochs: train ${train.toFixed(0)} ms, evaluate ${evaluate.toFixed(0)} ms`,
);

const profile = await tf.profile(async () => {
  await trainer.trainEpoch(1e-3);
});
const byKernel = new Map<string, { calls: number; ms: number }>();
for (const k of profile.kernels) {
  const e = byKernel.get(k.name) ?? { calls: 0, ms: 0 };
  e.calls++;
  e.ms += Number(k.kernelTimeMs);
  byKernel.set(k.name, e);
}
console.log("one more epoch, by kernel (calls, kernel ms):");
for (const [name, e] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms))
  console.log(`  ${name.padEnd(18)} ${String(e.calls).padStart(5)} ${e.ms.toFixed(1).padStart(8)}`);
trainer.dispose();

const a = tf.randomNormal([256, 64]);
const w = tf.randomNormal([64, 128]);
for (let i = 0; i < 100; i++) tf.matMul(a, w).dispose();
const reps = 2000;
const t0 = performance.now();
for (let i = 0; i < reps; i++) tf.matMul(a, w).dispose();
const ms = (performance.now() - t0) / reps;
console.log(
  `256x64 · 64x128 matMul: ${(ms * 1000).toFixed(0)} µs, ${((2 * 256 * 64 * 128) / ms / 1e6).toFixed(1)} GFLOP/s`,
);
tf.dispose([a, w]);
