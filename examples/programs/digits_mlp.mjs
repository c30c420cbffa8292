/**
 * A one-hidden-layer network (ReLU, softmax output) on the digits dataset, trained by minibatch
 * SGD with momentum in plain JavaScript.
 *
 * A training program as hpo runs it (sweep: digits-mlp.yaml): one process per fold; parameters
 * from hpo.params(), this fold's rows from hpo.kfoldIndices() (the split hpo's built-in trainer
 * makes of the same CSV for the same cv.seed), one hpo.report() per epoch. No dependencies but
 * the helper (copy packages/program-kit/js/hpo.mjs next to your own program). Run it alone as
 * fold 0 of 5 with its default parameters:
 *
 *     node examples/programs/digits_mlp.mjs
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as hpo from "../../packages/program-kit/js/hpo.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const p = hpo.params({
  learning_rate: 0.05,
  momentum: 0.9,
  hidden: 32,
  batch_size: 32,
  epochs: 15,
  data: join(here, "../../packages/trainer/datasets/digits.csv"),
});

/** Features and integer labels of a CSV whose last column is the class. */
function load(path) {
  const lines = readFileSync(path, "utf8").trim().split(/\r?\n/).slice(1);
  const rows = lines.map((l) => l.split(",").map(Number));
  return { x: rows.map((r) => r.slice(0, -1)), y: rows.map((r) => r[r.length - 1]) };
}

/** A small seeded generator (mulberry32) for weights and batch order. */
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const { x: raw, y } = load(p.data);
const classes = Math.max(...y) + 1;
const { train, validation } = hpo.kfoldIndices(raw.length, y);
const d = raw[0].length;
// scale by the training rows' mean and standard deviation
const mean = Array.from({ length: d }, (_, j) => train.reduce((s, i) => s + raw[i][j], 0) / train.length);
const std = mean.map((m, j) => Math.sqrt(train.reduce((s, i) => s + (raw[i][j] - m) ** 2, 0) / train.length) || 1);
const x = raw.map((r) => Float64Array.from(r, (v, j) => (v - mean[j]) / std[j]));

const h = Number(p.hidden);
const random = rng(hpo.fold() + 1);
const init = (n, fanIn) => Float64Array.from({ length: n }, () => (random() * 2 - 1) * Math.sqrt(6 / fanIn));
const params = { w1: init(h * d, d), b1: new Float64Array(h), w2: init(classes * h, h), b2: new Float64Array(classes) };
const velocity = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, new Float64Array(v.length)]));

/** Hidden activations and output probabilities of one row. */
function forward(v) {
  const a = new Float64Array(h);
  for (let k = 0; k < h; k++) {
    let s = params.b1[k];
    for (let j = 0; j < d; j++) s += params.w1[k * d + j] * v[j];
    a[k] = Math.max(s, 0);
  }
  const z = Float64Array.from({ length: classes }, (_, c) => {
    let s = params.b2[c];
    for (let k = 0; k < h; k++) s += params.w2[c * h + k] * a[k];
    return s;
  });
  const top = Math.max(...z);
  const e = z.map((v) => Math.exp(v - top));
  const sum = e.reduce((s, v) => s + v, 0);
  return { a, prob: e.map((v) => v / sum) };
}

function evaluate(rows) {
  let loss = 0;
  let hits = 0;
  for (const i of rows) {
    const { prob } = forward(x[i]);
    loss -= Math.log(Math.max(prob[y[i]], 1e-12));
    if (prob.indexOf(Math.max(...prob)) === y[i]) hits++;
  }
  return { loss: loss / rows.length, accuracy: hits / rows.length };
}

const lr = Number(p.learning_rate);
const mu = Number(p.momentum);
const batch = Number(p.batch_size);
for (let epoch = 0; epoch < Number(p.epochs); epoch++) {
  const order = [...train];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  for (let start = 0; start < order.length; start += batch) {
    const rows = order.slice(start, start + batch);
    const grad = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, new Float64Array(v.length)]));
    for (const i of rows) {
      const { a, prob } = forward(x[i]);
      const da = new Float64Array(h);
      for (let c = 0; c < classes; c++) {
        const g = (prob[c] - (c === y[i] ? 1 : 0)) / rows.length;
        grad.b2[c] += g;
        for (let k = 0; k < h; k++) {
          grad.w2[c * h + k] += g * a[k];
          da[k] += g * params.w2[c * h + k];
        }
      }
      for (let k = 0; k < h; k++) {
        if (a[k] <= 0) continue;
        grad.b1[k] += da[k];
        for (let j = 0; j < d; j++) grad.w1[k * d + j] += da[k] * x[i][j];
      }
    }
    for (const [k, v] of Object.entries(params)) {
      const vel = velocity[k];
      for (let n = 0; n < v.length; n++) {
        vel[n] = mu * vel[n] - lr * grad[k][n];
        v[n] += vel[n];
      }
    }
  }
  const t = evaluate(train);
  const v = evaluate(validation);
  hpo.report(epoch, { val_accuracy: v.accuracy, val_loss: v.loss, train_loss: t.loss });
}

writeFileSync(
  join(hpo.outputDir(), "model.json"),
  JSON.stringify(Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.from(v)]))),
);
