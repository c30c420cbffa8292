import type { RecurrentType, Rng } from "@hpo/core";
import * as tf from "@tensorflow/tfjs-core";
import { activate } from "./activations.ts";
import { initOrthogonal, initWeights } from "./initializers.ts";
import { packedMatMul } from "./packed-matmul.ts";
import type { ActivationName, InitializerName } from "./params.ts";

/** Gates of a cell: its kernels are [features, gates·units]. */
const GATES: Readonly<Record<RecurrentType, number>> = { simple_rnn: 1, lstm: 4, gru: 3 };

/**
 * The shapes of a recurrent layer's tensors in θ order, as TensorFlow.js layers (and Keras) keep
 * them: kernel [features, gates·units], recurrent kernel [units, gates·units], bias
 * [gates·units]. Gate order: lstm i, f, c, o; gru z, r, h.
 */
export function recurrentTensors(type: RecurrentType, features: number, units: number): number[][] {
  const g = GATES[type] * units;
  return [[features, g], [units, g], [g]];
}

/**
 * Initial values of a recurrent layer's tensors (θ order, see `recurrentTensors`): the kernel by
 * the trial's initializer (fans: features and gates·units), the recurrent kernel orthogonal per
 * gate, biases 0 except the lstm forget gate's 1 (Keras' unit_forget_bias).
 */
export function initRecurrent(
  type: RecurrentType,
  features: number,
  units: number,
  initializer: InitializerName,
  rng: Rng,
): Float32Array {
  const g = GATES[type] * units;
  const kernel = initWeights(initializer, features * g, features, g, rng);
  const recurrent = initOrthogonal(units, GATES[type], rng);
  const bias = new Float32Array(g);
  if (type === "lstm") bias.fill(1, units, 2 * units);
  const out = new Float32Array(kernel.length + recurrent.length + bias.length);
  out.set(kernel, 0);
  out.set(recurrent, kernel.length);
  out.set(bias, kernel.length + recurrent.length);
  return out;
}

/** A recurrent layer resolved for the forward pass. */
export interface RecurrentLayer {
  readonly type: RecurrentType;
  readonly units: number;
  readonly returnSequences: boolean;
  readonly activation: string;
}

/**
 * Runs a recurrent layer over x [K, rows, T, features] for K packed models (kernel [K, features,
 * G], recurrent [K, units, G], bias [K, G]), unrolled over the T timesteps from a zero state: the
 * input products of all timesteps in one matrix product, then per timestep a batched product with
 * the recurrent kernel (`packedMatMul` on wasm; gru: two, its reset gate applied before the
 * product of the candidate, as TensorFlow.js layers' GRU and Keras' reset_after=False) and
 * elementwise gates (sigmoid, and tanh). Returns the last state [K, rows, units], or every state
 * [K, rows, T, units] with `returnSequences`. Differentiable by autodiff with the kernels of the
 * wasm and cpu backends (split, concat, matMul, sigmoid, tanh and elementwise ops).
 */
export function recurrentForward(
  layer: RecurrentLayer,
  x: tf.Tensor,
  [kernel, recurrent, bias]: readonly tf.Tensor[],
  leakyAlpha: number,
): tf.Tensor {
  const [K, rows, T, F] = x.shape as [number, number, number, number];
  const u = layer.units;
  const G = GATES[layer.type] * u;
  const mm = tf.getBackend() === "wasm" ? packedMatMul : (a: tf.Tensor3D, b: tf.Tensor3D) => tf.matMul(a, b);
  const inBias = tf.reshape(bias as tf.Tensor, [K, 1, G]);
  // input products of every timestep at once: [K, rows·T, F] · [K, F, G]
  const xw = tf.reshape(mm(tf.reshape(x, [K, rows * T, F]) as tf.Tensor3D, kernel as tf.Tensor3D), [K, rows, T, G]);
  const steps = T === 1 ? [xw] : tf.split(xw, T, 2);
  const U = recurrent as tf.Tensor3D;
  // gru: [U_z U_r] on the state, U_h on the reset state
  const [Uzr, Uh] = layer.type === "gru" ? (tf.split(U, [2 * u, u], 2) as tf.Tensor3D[]) : [];
  let h: tf.Tensor3D | undefined;
  let c: tf.Tensor3D | undefined;
  const states: tf.Tensor3D[] = [];
  for (const step of steps) {
    const xt = tf.add(tf.reshape(step, [K, rows, G]), inBias) as tf.Tensor3D;
    const hu = h && layer.type !== "gru" ? mm(h, U) : undefined;
    switch (layer.type) {
      case "simple_rnn":
        h = activate(hu ? tf.add(xt, hu) : xt, layer.activation as ActivationName, leakyAlpha) as tf.Tensor3D;
        break;
      case "lstm": {
        const [i, f, g, o] = tf.split(hu ? tf.add(xt, hu) : xt, 4, 2) as tf.Tensor3D[];
        const write = tf.mul(tf.sigmoid(i as tf.Tensor), tf.tanh(g as tf.Tensor));
        c = (c ? tf.add(tf.mul(tf.sigmoid(f as tf.Tensor), c), write) : write) as tf.Tensor3D;
        h = tf.mul(tf.sigmoid(o as tf.Tensor), tf.tanh(c)) as tf.Tensor3D;
        break;
      }
      case "gru": {
        const [xzr, xh] = tf.split(xt, [2 * u, u], 2) as [tf.Tensor3D, tf.Tensor3D];
        // from a zero state the recurrent products are 0
        const [z, r] = tf.split(tf.sigmoid(h ? tf.add(xzr, mm(h, Uzr as tf.Tensor3D)) : xzr), 2, 2) as tf.Tensor3D[];
        const candidate = tf.tanh(h ? tf.add(xh, mm(tf.mul(r as tf.Tensor, h) as tf.Tensor3D, Uh as tf.Tensor3D)) : xh);
        const write = tf.mul(tf.sub(1, z as tf.Tensor), candidate);
        h = (h ? tf.add(tf.mul(z as tf.Tensor, h), write) : write) as tf.Tensor3D;
        break;
      }
    }
    if (layer.returnSequences) states.push(h);
  }
  if (!layer.returnSequences) return h as tf.Tensor3D;
  return states.length === 1 ? tf.reshape(states[0] as tf.Tensor, [K, rows, 1, u]) : tf.stack(states, 2);
}
