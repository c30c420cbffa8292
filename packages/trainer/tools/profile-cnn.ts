/**
 * Where a LeNet epoch's time goes (issue 14): the bench/cnn-vs-torch.ts network on the first N
 * Fashion-MNIST images, 3 stratified folds packed, batch 64, Adam 1e-3; prints the wall time of one
 * training epoch, then `tf.profile` of another summed by kernel (calls, kernel ms). The kernels
 * hpo adds on wasm (Conv2DBackpropFilter / Conv2DBackpropInput / MaxPoolGrad) are timed there too.
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
const t0 = performance.now();
await trainer.trainEpoch(1e-3);
const epochMs = performance.now() - t0;
const trained = folds.reduce((a, f) => a + f.yTrain.length, 0);
console.log(
  `${backend.name}, ${images} images, 3 folds, batch 64: one epoch ${epochMs.toFixed(0)} ms (${((1000 * trained) / epochMs).toFixed(0)} training images/s)`,
);
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
