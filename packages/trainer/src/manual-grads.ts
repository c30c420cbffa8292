import * as tf from "@tensorflow/tfjs-core";
import { activate } from "./activations.ts";
import type { Mlp } from "./model.ts";
import { plainPackedMatMul } from "./packed-matmul.ts";
import type { ActivationName } from "./params.ts";
import { PACKED_MATMUL, wasmPackedMatMul } from "./wasm-packed-matmul.ts";

/** Activations whose derivative `manualGrads` writes from the activation's output. */
const FROM_OUTPUT: readonly ActivationName[] = ["relu", "linear", "tanh", "sigmoid"];

/**
 * True when `manualGrads` covers the model: dense layers only (no batch norm, no residual skip)
 * and an activation among relu, linear, tanh, sigmoid. Other models use autodiff.
 */
export function supportsManualGrads(model: Mlp): boolean {
  return FROM_OUTPUT.includes(model.config.activation) && model.layout.every((l) => !l.batchNorm && !l.residual);
}

/** f′(z) from a = f(z); undefined for the identity. */
function derivative(a: tf.Tensor, name: ActivationName): tf.Tensor | undefined {
  switch (name) {
    case "relu":
      return tf.step(a);
    case "tanh":
      return tf.sub(1, tf.square(a));
    case "sigmoid":
      return tf.mul(a, tf.sub(1, a));
    default:
      return undefined;
  }
}

/** A [K, m, n] operand of a packed product, with its transpose [K, n, m] made at most once. */
interface Operand {
  readonly v: tf.Tensor3D;
  t(): tf.Tensor3D;
}

function operand(v: tf.Tensor3D, transposed?: tf.Tensor3D): Operand {
  let t = transposed;
  return {
    v,
    t: () => {
      t ??= tf.transpose(v, [0, 2, 1]) as tf.Tensor3D;
      return t;
    },
  };
}

/**
 * The packed product a [K, m, s] · b [K, s, n] → [K, m, n]: model by model on wasm (hpo's C
 * product, see packedMatMul), elsewhere one batched `matMul`.
 */
function packedProduct(a: Operand, b: Operand): tf.Tensor3D {
  return plainPackedMatMul(a.v, b.v);
}

/** aᵀ · b for a [K, s, m], b [K, s, n]: read transposed by the wasm kernel, else by `a.t()`. */
function packedProductTA(a: Operand, b: Operand): tf.Tensor3D {
  if (tf.getKernel(PACKED_MATMUL, tf.getBackend())) return wasmPackedMatMul(a.v, b.v, true);
  return plainPackedMatMul(a.t(), b.v);
}

/**
 * Gradient `grad` [K, P] of Σ_k loss_k with respect to `model.theta` for a training batch, derived by hand
 * (no gradient tape: about half the ops of autodiff for the same values, up to float rounding).
 * `x` [K, rows, d]; `y` one-hot [K, rows, C] (softmax cross-entropy) or standardized targets
 * [K, rows, 1] (squared error); `masks` the dropout masks of the hidden layers (none = no dropout);
 * `rowScale` each row's weight in its model's mean loss: a number (1/rows, no padding, no class
 * weights) or a [K, rows, 1] tensor (class weight / real rows for real rows, 0 for padding); `xT` optionally `x` transposed
 * to [K, d, rows] (saves a transpose). Also returns the forward pass's output `out` (logits or
 * standardized predictions, [K, rows, C]). Only for models where `supportsManualGrads` is true.
 * Call inside a tidy.
 */
export function manualGrads(
  model: Mlp,
  x: tf.Tensor3D,
  y: tf.Tensor3D,
  task: "classification" | "regression",
  masks: readonly tf.Tensor3D[],
  rowScale: number | tf.Tensor3D,
  xT?: tf.Tensor3D,
): { grad: tf.Tensor2D; out: tf.Tensor3D } {
  const { activation, leakyAlpha } = model.config;
  const K = model.k;
  const mm = packedProduct;
  const views = model.views();
  const last = views.length - 1;
  // Forward pass, keeping each layer's input and each hidden activation.
  const inputs: Operand[] = [];
  const acts: tf.Tensor3D[] = [];
  let h = x;
  views.forEach((layer, i) => {
    const input = operand(h, i === 0 ? xT : undefined);
    inputs.push(input);
    const z = tf.add(mm(input, operand(layer.kernel)), layer.bias) as tf.Tensor3D;
    if (i === last) {
      h = z;
      return;
    }
    const a = activate(z, activation, leakyAlpha) as tf.Tensor3D;
    acts.push(a);
    const mask = masks[i];
    h = mask ? (tf.mul(a, mask) as tf.Tensor3D) : a;
  });
  // d loss / d output: (softmax − y) or 2(out − y), times each row's weight.
  const out = h;
  const residual = task === "classification" ? tf.sub(tf.softmax(h), y) : tf.mul(tf.sub(h, y), 2);
  let dz = tf.mul(residual, rowScale) as tf.Tensor3D;
  const parts: tf.Tensor[] = [];
  for (let i = last; i >= 0; i--) {
    const layer = views[i] as (typeof views)[number];
    const l = model.layout[i] as (typeof model.layout)[number];
    const input = inputs[i] as Operand;
    const dzOp = operand(dz);
    // dW = inputᵀ · dz
    const dW = packedProductTA(input, dzOp);
    parts.push(tf.sum(dz, 1), tf.reshape(dW, [K, l.fanIn * l.fanOut]));
    if (i === 0) break;
    // dh = dz · Wᵀ
    const kernel = operand(layer.kernel);
    let dh = mm(dzOp, operand(kernel.t(), kernel.v));
    const mask = masks[i - 1];
    if (mask) dh = tf.mul(dh, mask) as tf.Tensor3D;
    const d = derivative(acts[i - 1] as tf.Tensor3D, activation);
    dz = d ? (tf.mul(dh, d) as tf.Tensor3D) : dh;
  }
  parts.reverse();
  return { grad: tf.concat(parts, 1) as tf.Tensor2D, out };
}
