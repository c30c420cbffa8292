import type { ParamValue } from "@hpo/core";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "./backend.ts";
import { loadDataset } from "./datasets/load-dataset.ts";
import { prepareFold } from "./fold-data.ts";
import { splitFolds } from "./fold-split.ts";
import { manualGrads, supportsManualGrads } from "./manual-grads.ts";
import { Mlp } from "./model.ts";
import { PackedTrainer } from "./packed-trainer.ts";
import { parseTrainConfig } from "./params.ts";

beforeAll(async () => {
  await selectBackend("wasm");
});

/** Deterministic pseudo-random values in [−1, 1). */
function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out[i] = s / 1073741824 - 1;
  }
  return out;
}

/** The autodiff gradient of Σ_k (weighted) mean loss_k, as PackedTrainer computed it before. */
function autodiff(
  model: Mlp,
  x: tf.Tensor3D,
  y: tf.Tensor3D,
  task: "classification" | "regression",
  masks: tf.Tensor3D[],
  w?: tf.Tensor2D,
): tf.Tensor {
  const { grads } = tf.variableGrads(() => {
    const out = model.forward(x, true, masks);
    const perRow =
      task === "classification"
        ? tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(out)), 2))
        : tf.squeeze(tf.squaredDifference(out, y), [2]);
    const losses = w ? tf.div(tf.sum(tf.mul(perRow, w), 1), tf.maximum(tf.sum(w, 1), 1)) : tf.mean(perRow, 1);
    return tf.sum(losses) as tf.Scalar;
  }, [model.theta]);
  return grads[model.theta.name] as tf.Tensor;
}

describe("manualGrads", () => {
  const cases = [
    { activation: "relu", dropout: 0.3, task: "classification", padded: false },
    { activation: "relu", dropout: 0, task: "classification", padded: true },
    { activation: "tanh", dropout: 0.2, task: "regression", padded: true },
    { activation: "sigmoid", dropout: 0, task: "classification", padded: false },
    { activation: "linear", dropout: 0.5, task: "regression", padded: false },
  ] as const;
  for (const c of [
    ...cases.map((x) => ({ ...x, backend: "wasm" as const })),
    { ...cases[0], backend: "cpu" as const },
  ]) {
    it(`equals autodiff's gradient (${c.activation}, dropout ${c.dropout}, ${c.task}, padded ${c.padded}, ${c.backend})`, async () => {
      await selectBackend(c.backend);
      const before = tf.memory().numTensors;
      const K = 3;
      const rows = 7;
      const d = 5;
      const C = c.task === "classification" ? 4 : 1;
      const config = parseTrainConfig(
        { dropout: c.dropout, activation: c.activation },
        { hidden: [24, 3], activation: "relu" }, // 24 ≥ 3·rows: the swapped (bᵀ·aᵀ)ᵀ products run too
      );
      const model = new Mlp(config, d, C, [1, 2, 3]);
      expect(supportsManualGrads(model)).toBe(true);
      const real = c.padded ? [7, 4, 0] : [7, 7, 7];
      const masks = model.drawDropoutMasks(rows, real);
      const [diff, scale] = tf.tidy(() => {
        const x = tf.tensor3d(values(K * rows * d, 7), [K, rows, d]);
        const yv = new Float32Array(K * rows * C);
        for (let r = 0; r < K * rows; r++) {
          if (C === 1) yv[r] = values(1, r + 3)[0]!;
          else yv[r * C + (r % C)] = 1;
        }
        const y = tf.tensor3d(yv, [K, rows, C]);
        const wv = new Float32Array(K * rows);
        real.forEach((r, k) => {
          wv.fill(1, k * rows, k * rows + r);
        });
        const w = c.padded ? tf.tensor2d(wv, [K, rows]) : undefined;
        const rowScale = w ? tf.reshape(tf.div(w, tf.maximum(tf.sum(w, 1, true), 1)), [K, rows, 1]) : 1 / rows;
        const expected = autodiff(model, x, y, c.task, masks, w);
        const got = manualGrads(model, x, y, c.task, masks, rowScale as number | tf.Tensor3D).grad;
        expect(got.shape).toEqual(expected.shape);
        // With the transposed features given, the same gradient.
        const withT = manualGrads(
          model,
          x,
          y,
          c.task,
          masks,
          rowScale as number | tf.Tensor3D,
          tf.transpose(x, [0, 2, 1]),
        ).grad;
        expect(tf.max(tf.abs(tf.sub(withT, got))).dataSync()[0]).toBe(0);
        return [tf.max(tf.abs(tf.sub(got, expected))).dataSync()[0]!, tf.max(tf.abs(expected)).dataSync()[0]!];
      });
      expect(scale).toBeGreaterThan(1e-3); // a gradient that is not trivially zero
      expect(diff).toBeLessThan(1e-5 * Math.max(1, scale));
      for (const m of masks) m.dispose();
      model.dispose();
      expect(tf.memory().numTensors).toBe(before);
      await selectBackend("wasm");
    });
  }

  it("is not used for batch norm, residual, leaky_relu or elu (autodiff instead)", () => {
    const params: Readonly<Record<string, ParamValue>>[] = [
      { batch_norm: true },
      { residual: true },
      { activation: "leaky_relu" },
      { activation: "elu" },
    ];
    for (const p of params) {
      const config = parseTrainConfig(p, { hidden: [4, 4], activation: "relu" });
      const model = new Mlp(config, 4, 2, [1]);
      expect(supportsManualGrads(model)).toBe(false);
      model.dispose();
    }
  });

  it.each(["none", "balanced"] as const)(
    "trains a pack to the same results as autodiff (class_weight %s)",
    async (classWeight) => {
      const data = loadDataset({ name: "wine", task: "classification" });
      const split = splitFolds(data, { folds: 3, stratified: true, seed: 1 });
      const folds = [0, 1, 2].map((f) => prepareFold(data, split[f]!, { classWeight }));
      if (classWeight === "balanced") expect(folds[0]!.classWeights.some((w) => Math.abs(w - 1) > 0.05)).toBe(true);
      const config = parseTrainConfig({ dropout: 0.2, batch_size: 16 }, { hidden: [16, 8], activation: "relu" });
      const run = async (manual: boolean, f = folds) => {
        const t = new PackedTrainer(f, config, "classification", data.classes.length, [5, 6, 7], {
          manualGrads: manual,
        });
        for (let e = 0; e < 3; e++) await t.trainEpoch(1e-3);
        const recs = t.evaluate(1e-3);
        t.dispose();
        return recs;
      };
      const [a, b] = [await run(true), await run(false)];
      a.forEach((r, k) => {
        expect(r.val_accuracy).toBe(b[k]!.val_accuracy);
        expect(r.val_loss).toBeCloseTo(b[k]!.val_loss!, 4);
        expect(r.loss).toBeCloseTo(b[k]!.loss!, 4);
      });
      if (classWeight === "balanced") {
        // the weights reach both paths: unweighted folds train to other losses
        const plain = await run(
          false,
          [0, 1, 2].map((f) => prepareFold(data, split[f]!)),
        );
        expect(plain[0]!.val_loss).not.toBeCloseTo(b[0]!.val_loss!, 6);
      }
    },
  );
});
