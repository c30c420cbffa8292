/**
 * Where a LeNet epoch's time goes (issue 14): the bench/cnn-vs-torch.ts network on the first N
 * Fashion-MNIST images, 3 stratified folds packed, batch 64, Adam 1e-3; prints the wall and CPU time
 * of a training epoch (after a first one), then `tf.profile` of another summed by kernel (calls, kernel ms). The kernels
 * hpo adds on wasm (Conv2DBackpropFilter / Conv2DBackpropInput / MaxPoolGrad) are timed there too.
 * Between the two: what the per-epoch `evaluate` (validation forward pass and scoring) costs, twice.
 *
 *   pnpm exec tsx packages/trainer/tools/profile-cnn.ts [images, default 1200] [backend, default wasm]
 */
import { type LayerSpec, mixSeed } from "@hpo/core";
import * as tf from "@tensorflow/tfjs-core";
import { splitFolds } from "../src/fold-split.ts";
import { type BackendPreference, loadDataset, prepareFold, selectBackend } from "../src/index.ts";
import { PackedTrainer } from "../src/packed-trainer.ts";
import { parseTrainConfig } from "../src/params.ts";

const images = Number(process.argv[2] ?? 1200);
const backend = await selectBackend((process.argv[3] ?? "wasm") as BackendPreference);
const layers: LayerSpec[] = [
  { type: "conv2d", filters: 16, kernel_size: 5, padding: "same" },
  { type: "max_pool2d", pool_size: 2 },
  { type: "conv2d", filters: 32, kernel_size: 5, padding: "same" },
  { type: "max_pool2d", pool_size: 2 },
  { type: "flatten" },
  { type: "dense", units: 128 },
  { type: "dropout", rate: 0.25 },
];
const data = loadDataset({ name: "fashion_mnist", task: "classification", images });
const folds = splitFolds(data, { folds: 3, stratified: true, seed: 0 }).map((f) => prepareFold(data, f));
const config = parseTrainConfig(
  { learning_rate: 1e-3, batch_size: 64, optimizer: "adam" },
  { hidden: [], activation: "relu", layers },
);
const trainer = new PackedTrainer(
  folds,
  config,
  "classification",
  10,
  folds.map((_, f) => mixSeed(0, "fold", f)),
  { inputShape: data.image as readonly number[] },
);
const cpuMs = (since: NodeJS.CpuUsage) => {
  const c = process.cpuUsage(since);
  return (c.user + c.system) / 1000;
};
// a first epoch and evaluation warm up (kernel setup, XNNPACK operator caches)
await trainer.trainEpoch(1e-3);
trainer.evaluate(1e-3);
const t0 = performance.now();
const c0 = process.cpuUsage();
await trainer.trainEpoch(1e-3);
const epochMs = performance.now() - t0;
const epochCpu = cpuMs(c0);
const trained = folds.reduce((a, f) => a + f.yTrain.length, 0);
const validated = folds.reduce((a, f) => a + f.yVal.length, 0);
console.log(
  `${backend.name}, ${images} images, 3 folds, batch 64: an epoch after the first ${epochMs.toFixed(0)} ms, ${epochCpu.toFixed(0)} ms CPU (${((1000 * trained) / epochMs).toFixed(0)} training images/s)`,
);
// what the trial adds to each epoch: `evaluate`, one evaluation-mode pass over the validation rows
// and their scoring in JS (training metrics come from the steps' own outputs: no pass of their own)
for (let i = 0; i < 2; i++) {
  const e0 = performance.now();
  const ec = process.cpuUsage();
  trainer.evaluate(1e-3);
  const ms = performance.now() - e0;
  const cpu = cpuMs(ec);
  console.log(
    `evaluate (${validated} validation rows): ${ms.toFixed(0)} ms, ${cpu.toFixed(0)} ms CPU = ${((100 * cpu) / epochCpu).toFixed(1)} % of the epoch's CPU`,
  );
}
const evalProfile = await tf.profile(() => {
  trainer.evaluate(1e-3);
});
const evalKernelMs = evalProfile.kernels.reduce((a, k) => a + Number(k.kernelTimeMs), 0);
console.log(`  of which in kernels (tf.profile): ${evalKernelMs.toFixed(0)} ms, ${evalProfile.kernels.length} calls`);
const profile = await tf.profile(async () => {
  await trainer.trainEpoch(1e-3);
});
const byKernel = new Map<string, { calls: number; ms: number }>();
let total = 0;
for (const k of profile.kernels) {
  const e = byKernel.get(k.name) ?? { calls: 0, ms: 0 };
  e.calls++;
  e.ms += Number(k.kernelTimeMs);
  total += Number(k.kernelTimeMs);
  byKernel.set(k.name, e);
}
console.log(`another epoch, by kernel (calls, kernel ms; ${total.toFixed(0)} ms in kernels):`);
for (const [name, e] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25))
  console.log(`  ${name.padEnd(22)} ${String(e.calls).padStart(5)} ${e.ms.toFixed(1).padStart(9)}`);
trainer.dispose();
