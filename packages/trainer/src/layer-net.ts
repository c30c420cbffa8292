import {
  createRng,
  type ExampleShape,
  type LayerStep,
  layerPlan,
  mixSeed,
  type ResolvedLayer,
  type Rng,
} from "@hpo/core";
import * as tf from "@tensorflow/tfjs-core";
import { activate } from "./activations.ts";
import { DropoutStream } from "./dropout.ts";
import { initBias, initWeights } from "./initializers.ts";
import { packedMatMul, packedMatMulFirst } from "./packed-matmul.ts";
import { type BatchStats, BN_EPSILON, type MovingStats, PackedModel } from "./packed-model.ts";
import type { ActivationName, TrainConfig } from "./params.ts";
import { initRecurrent, recurrentForward, recurrentTensors } from "./recurrent.ts";
import { wasmPackedConv2d } from "./wasm-packed-conv.ts";
import { RELU_MAX_POOL, wasmReluMaxPool2x2 } from "./wasm-pool-kernels.ts";

/** Where one parameterized layer's tensors live in a model's parameter vector (blocks follow one another in θ). */
export interface ParamBlock {
  /** The layer's name (`conv2d_0`, `residual_3/shortcut`, `output`): its gradient norm's key. */
  readonly name: string;
  /** Batch norm's gamma and beta (initialized to 1 and 0, no penalty), or a kernel and a bias. */
  readonly batchNorm: boolean;
  /**
   * Shapes of its tensors in θ order (kernel then bias; gamma then beta; kernel, recurrent kernel
   * and bias; an embedding's table).
   */
  readonly tensors: readonly (readonly number[])[];
  readonly size: number;
  /**
   * Blocks other than a kernel and a bias or batch norm (recurrent layers, embeddings): one model's
   * initial values, and how many leading values are weights (what L1/L2 penalties apply to).
   */
  readonly init?: { readonly draw: (rng: Rng) => Float32Array; readonly weights: number };
}

const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/**
 * K models of one layer list (`model.layers`, then a dense output layer) trained side by side on
 * raw tfjs-core ops, their parameters in θ [K, P] like `Mlp`'s. Activations are [K, rows, …example
 * shape]; convolutions run model by model on the K slices of the batch (each model has its own
 * filters; on wasm one `HpoPackedConv2D` over views of the pack, elsewhere split / conv2d /
 * concat), pooling and elementwise ops on the whole pack, dense layers as packed products
 * (`packedMatMul`: XNNPACK per model on wasm). Gradients by autodiff (on wasm through the kernels
 * of wasm-packed-conv.ts and wasm-conv-kernels.ts). Batch norm normalizes each channel over rows and positions; dropout
 * draws its masks from model k's own stream. A residual block adds its input (projected by
 * `Shortcut`: every s-th row and column, then a packed product over channels) to its layers'
 * output. Recurrent layers (simple_rnn, lstm, gru) unroll over time (recurrent.ts); an embedding is
 * a one-hot product with its table. Per-layer gradient norms are per parameterized layer (conv2d, dense, batch_norm, a
 * projection, recurrent, embedding, then the output layer) in the order of `layerPlan`'s steps, named as there.
 */
export class LayerNet extends PackedModel {
  readonly nInputs: number;
  /** The forward pass's steps (`layerPlan`), the output layer last. */
  readonly steps: readonly LayerStep[];
  /** The parameterized layers' tensors, in θ order (the output layer last). */
  readonly blocks: readonly ParamBlock[];
  private readonly dropoutStreams: readonly DropoutStream[];

  constructor(
    readonly config: TrainConfig,
    readonly layers: readonly ResolvedLayer[],
    readonly inputShape: ExampleShape,
    readonly nOutputs: number,
    seeds: readonly number[],
  ) {
    const K = seeds.length;
    const plan = layerPlan(layers, inputShape, nOutputs);
    if ("error" in plan) throw new Error(`${plan.path}: ${plan.error}`);
    const blocks: ParamBlock[] = [];
    const movingShapes: number[][] = [];
    for (const s of plan.steps) {
      const c = s.input[s.input.length - 1] as number;
      if (s.kind === "join" && s.shortcut.kind === "projection")
        blocks.push(block(`${s.name}/shortcut`, false, [[c, s.shortcut.outChannels], [s.shortcut.outChannels]]));
      if (s.kind !== "layer") continue;
      const l = s.layer;
      if (l.type === "dense") blocks.push(block(s.name, false, [[c, l.units], [l.units]]));
      if (l.type === "conv2d")
        blocks.push(block(s.name, false, [[l.kernelSize, l.kernelSize, c, l.filters], [l.filters]]));
      if (l.type === "batch_norm") {
        blocks.push(block(s.name, true, [[c], [c]]));
        movingShapes.push([K, 1, ...s.input.slice(0, -1).map(() => 1), c]);
      }
      if (l.type === "simple_rnn" || l.type === "lstm" || l.type === "gru") {
        const tensors = recurrentTensors(l.type, c, l.units);
        blocks.push({
          ...block(s.name, false, tensors),
          init: {
            draw: (rng) => initRecurrent(l.type, c, l.units, config.initializer, rng),
            weights: prod(tensors[0] as number[]) + prod(tensors[1] as number[]),
          },
        });
      }
      if (l.type === "embedding") {
        const n = l.inputDim * l.outputDim;
        // Keras' embeddings_initializer: uniform(−0.05, 0.05)
        const draw = (rng: Rng) => Float32Array.from({ length: n }, () => (rng.next() * 2 - 1) * 0.05);
        blocks.push({ ...block(s.name, false, [[l.inputDim, l.outputDim]]), init: { draw, weights: n } });
      }
    }
    const P = blocks.reduce((a, b) => a + b.size, 0);
    const theta = new Float32Array(K * P);
    const mask = new Float32Array(P);
    const rngs = seeds.map((s) => createRng(mixSeed(s, "init")));
    let offset = 0;
    for (const b of blocks) {
      const [first, second] = b.tensors as [number[], number[]];
      const n = prod(first);
      if (b.batchNorm) {
        for (let k = 0; k < K; k++) theta.fill(1, k * P + offset, k * P + offset + n); // gamma 1, beta 0
      } else if (b.init) {
        const { draw, weights } = b.init;
        mask.fill(1, offset, offset + weights);
        rngs.forEach((rng, k) => {
          theta.set(draw(rng), k * P + offset);
        });
      } else {
        mask.fill(1, offset, offset + n);
        const out = second[0] as number;
        const receptive = n / ((first[first.length - 2] as number) * out);
        const fanIn = n / out;
        rngs.forEach((rng, k) => {
          theta.set(initWeights(config.initializer, n, fanIn, receptive * out, rng), k * P + offset);
          theta.set(initBias(config.initializer, out, fanIn, rng), k * P + offset + n);
        });
      }
      offset += b.size;
    }
    super(K, theta, mask, movingShapes);
    this.nInputs = prod(inputShape);
    this.steps = plan.steps;
    this.blocks = blocks;
    this.dropoutStreams = seeds.map((s) => new DropoutStream(mixSeed(s, "dropout")));
  }

  override get activationFloatsPerRow(): number {
    return this.steps.reduce((a, s) => a + (s.kind === "fork" ? 0 : prod(s.output)), 0);
  }

  override get layerSizes(): number[] {
    return this.blocks.map((b) => b.size);
  }

  override get layerNames(): string[] {
    return this.blocks.map((b) => b.name);
  }

  override drawDropoutMasks(rows: number, realRows: readonly number[]): tf.Tensor3D[] {
    const K = this.k;
    const drops = this.steps.flatMap((s) =>
      s.kind === "layer" && s.layer.type === "dropout" && s.layer.rate > 0
        ? [{ rate: s.layer.rate, input: s.input }]
        : [],
    );
    if (drops.length === 0) return [];
    const widths = drops.map((d) => prod(d.input));
    const buffers = widths.map((w) => new Float32Array(K * rows * w));
    // model by model and layer by layer, as a pack of one would draw them
    this.dropoutStreams.forEach((stream, k) => {
      const r = realRows[k] ?? rows;
      if (r <= 0) return;
      drops.forEach((d, j) => {
        const w = widths[j] as number;
        stream.fill(buffers[j] as Float32Array, k * rows * w, r * w, d.rate);
      });
    });
    return tf.tidy(() => buffers.map((b, j) => tf.tensor3d(b, [K, rows, widths[j] as number])));
  }

  /** Each block's tensors as [K, …shape] views of θ (differentiable; call inside the tape). */
  private views(): tf.Tensor[][] {
    const K = this.k;
    const parts = tf.split(
      this.theta,
      this.blocks.flatMap((b) => b.tensors.map(prod)),
      1,
    );
    let p = 0;
    return this.blocks.map((b) => b.tensors.map((shape) => tf.reshape(parts[p++] as tf.Tensor, [K, ...shape])));
  }

  override forward(
    x: tf.Tensor3D,
    training: boolean,
    masks: readonly tf.Tensor3D[] = [],
    stats?: BatchStats[],
    rowWeights?: tf.Tensor3D,
    timeGrads?: tf.Tensor2D[],
  ): tf.Tensor3D {
    const K = this.k;
    const rows = x.shape[1];
    let tapped = timeGrads === undefined;
    const views = this.views();
    const wasm = tf.getBackend() === "wasm";
    let h: tf.Tensor = tf.reshape(x, [K, rows, ...this.inputShape]);
    let block = 0;
    let bn = 0;
    let drop = 0;
    const forks: tf.Tensor[] = [];
    const act = (z: tf.Tensor, name: string) => activate(z, name as ActivationName, this.config.leakyAlpha);
    const fused = wasm && tf.getKernel(RELU_MAX_POOL, "wasm") ? reluPoolFusions(this.steps) : new Set<number>();
    this.steps.forEach((step, i) => {
      if (step.kind === "fork") {
        forks.push(h);
        return;
      }
      if (step.kind === "join") {
        let shortcut = forks.pop() as tf.Tensor;
        if (step.shortcut.kind === "projection") {
          const [kernel, bias] = views[block++] as [tf.Tensor3D, tf.Tensor];
          const { strides, outChannels } = step.shortcut;
          if (strides > 1) shortcut = subsample(shortcut, strides);
          const positions = prod(shortcut.shape.slice(2, -1));
          const flat = tf.reshape(shortcut, [K, rows * positions, step.shortcut.inChannels]) as tf.Tensor3D;
          const product = wasm ? packedMatMul(flat, kernel) : tf.matMul(flat, kernel);
          shortcut = tf.reshape(tf.add(product, tf.reshape(bias, [K, 1, outChannels])), h.shape);
        }
        h = act(tf.add(h, shortcut), step.activation);
        return;
      }
      const l = step.layer;
      const batched = () =>
        tf.reshape(h, [K * rows, ...h.shape.slice(2)] as [number, number, number, number]) as tf.Tensor4D;
      const unbatched = (t: tf.Tensor) => tf.reshape(t, [K, rows, ...t.shape.slice(1)]);
      switch (l.type) {
        case "dense": {
          const [kernel, bias] = views[block++] as [tf.Tensor3D, tf.Tensor];
          const first = i === 0;
          const product = wasm
            ? (first ? packedMatMulFirst : packedMatMul)(h as tf.Tensor3D, kernel)
            : tf.matMul(h as tf.Tensor3D, kernel);
          h = act(tf.add(product, tf.reshape(bias, [K, 1, l.units])), l.activation);
          return;
        }
        case "conv2d": {
          const [filters, bias] = views[block++] as [tf.Tensor, tf.Tensor];
          if (wasm) {
            const z = unbatched(wasmPackedConv2d(batched(), filters, bias, l.strides, l.padding));
            // a ReLU the next step's pool applies (`reluPoolFusions`) is left to it
            h = fused.has(i + 1) ? z : act(z, l.activation);
            return;
          }
          const xs = K === 1 ? [batched()] : (tf.split(batched(), K, 0) as tf.Tensor4D[]);
          const fs = K === 1 ? [filters] : tf.split(filters, K, 0);
          const ys = xs.map((xk, k) =>
            tf.conv2d(xk, tf.squeeze(fs[k] as tf.Tensor, [0]) as tf.Tensor4D, l.strides, l.padding),
          );
          const y = unbatched(K === 1 ? (ys[0] as tf.Tensor) : tf.concat(ys, 0));
          h = act(tf.add(y, tf.reshape(bias, [K, 1, 1, 1, l.filters])), l.activation);
          return;
        }
        case "max_pool2d":
        case "avg_pool2d": {
          if (fused.has(i)) {
            h = unbatched(wasmReluMaxPool2x2(batched()));
            return;
          }
          const pool = l.type === "max_pool2d" ? tf.maxPool : tf.avgPool;
          h = unbatched(pool(batched(), l.poolSize, l.strides, l.padding));
          return;
        }
        case "simple_rnn":
        case "lstm":
        case "gru":
          if (!tapped) {
            h = tapTimeGrads(h, (views[block] as tf.Tensor[])[0] as tf.Tensor, timeGrads as tf.Tensor2D[]);
            tapped = true;
          }
          h = recurrentForward(l, h, views[block++] as tf.Tensor[], this.config.leakyAlpha);
          return;
        case "embedding": {
          // a one-hot product (wasm has no gradient kernel for gather); the ids were checked once
          // per trial (token-ids.ts): integers in [0, input_dim)
          const [table] = views[block++] as [tf.Tensor3D];
          const T = h.shape[2] as number;
          const ids = tf.reshape(tf.cast(tf.round(h), "int32"), [K, rows * T]);
          // int32 then cast: wasm's OneHot writes int32 bits into a float32 output (tfjs 4.22)
          const oneHot = tf.cast(tf.oneHot(ids, l.inputDim), "float32") as tf.Tensor3D;
          const product = wasm ? packedMatMulFirst(oneHot, table) : tf.matMul(oneHot, table);
          h = tf.reshape(product, [K, rows, T, l.outputDim]);
          return;
        }
        case "global_avg_pool2d":
          h = tf.mean(h, [2, 3]);
          return;
        case "flatten":
          h = tf.reshape(h, [K, rows, prod(h.shape.slice(2))]);
          return;
        case "dropout": {
          if (l.rate <= 0) return;
          const mask = masks[drop++];
          if (training && mask) h = tf.mul(h, tf.reshape(mask, h.shape));
          return;
        }
        case "batch_norm": {
          const [gamma, beta] = views[block++] as [tf.Tensor, tf.Tensor];
          const moving = this.moving[bn++] as MovingStats;
          const c = h.shape[h.rank - 1] as number;
          const axes = Array.from({ length: h.rank - 2 }, (_, j) => j + 1);
          let mean: tf.Tensor = moving.mean;
          let variance: tf.Tensor = moving.variance;
          if (training) {
            if (rowWeights) {
              const w = tf.reshape(rowWeights, [K, rows, ...new Array<number>(h.rank - 2).fill(1)]);
              const perRow = prod(h.shape.slice(2, -1) as number[]);
              const n = tf.maximum(tf.mul(tf.sum(w, axes, true), perRow), 1);
              mean = tf.div(tf.sum(tf.mul(h, w), axes, true), n);
              variance = tf.div(tf.sum(tf.mul(tf.square(tf.sub(h, mean)), w), axes, true), n);
            } else {
              const m = tf.moments(h, axes, true);
              mean = m.mean;
              variance = m.variance;
            }
            stats?.push({ mean, variance });
          }
          const shape = [K, ...new Array<number>(h.rank - 2).fill(1), c];
          h = tf.add(
            tf.mul(tf.div(tf.sub(h, mean), tf.sqrt(tf.add(variance, BN_EPSILON))), tf.reshape(gamma, shape)),
            tf.reshape(beta, shape),
          );
          return;
        }
      }
    });
    return h as tf.Tensor3D;
  }
}

/**
 * Indices of the max_pool2d steps that also apply the ReLU of the conv2d step before them, on wasm
 * (`wasmReluMaxPool2x2`): 2×2 windows at stride 2 that tile the image (valid padding, or same on
 * even sizes), after a conv2d whose activation is relu.
 */
function reluPoolFusions(steps: readonly LayerStep[]): Set<number> {
  const out = new Set<number>();
  steps.forEach((s, i) => {
    const before = steps[i - 1];
    if (s.kind !== "layer" || before?.kind !== "layer") return;
    const [l, b] = [s.layer, before.layer];
    if (l.type !== "max_pool2d" || b.type !== "conv2d" || b.activation !== "relu") return;
    const [H, W] = s.input as [number, number, number];
    const tiles = l.padding === "valid" || (H % 2 === 0 && W % 2 === 0);
    if (l.poolSize === 2 && l.strides === 2 && tiles) out.add(i);
  });
  return out;
}

function block(name: string, batchNorm: boolean, tensors: number[][]): ParamBlock {
  return { name, batchNorm, tensors, size: tensors.reduce((a, s) => a + prod(s), 0) };
}

/**
 * Every `s`-th row and column of images [K, rows, h, w, c] (from the first): what a 1×1
 * convolution with stride s reads. Pad, reshape and slice, whose gradients every backend has.
 */
function subsample(x: tf.Tensor, s: number): tf.Tensor {
  const [K, rows, h, w, c] = x.shape as [number, number, number, number, number];
  const oh = Math.ceil(h / s);
  const ow = Math.ceil(w / s);
  const padded = tf.pad(x, [
    [0, 0],
    [0, 0],
    [0, oh * s - h],
    [0, ow * s - w],
    [0, 0],
  ]);
  const grid = tf.reshape(padded, [K * rows, oh, s, ow, s, c]);
  return tf.reshape(tf.slice(grid, [0, 0, 0, 0, 0, 0], [K * rows, oh, 1, ow, 1, c]), [K, rows, oh, ow, c]);
}

/**
 * `x` [K, rows, T, F] unchanged; when the gradient flows back through it, pushes to `sink` the
 * [K, 2] norms (over rows and features) of the gradient at timesteps 0 and T − 1, kept: how much
 * of the loss's gradient reaches the start of the sequence, against its end (vanishing gradients
 * through time). `anchor` (a view of θ, which gets no gradient from here) puts the tap on
 * autodiff's path when `x` is the data itself, whose gradient autodiff would not compute.
 */
function tapTimeGrads(x: tf.Tensor, anchor: tf.Tensor, sink: tf.Tensor2D[]): tf.Tensor {
  const tap = tf.customGrad(((input: tf.Tensor, theta: tf.Tensor) => ({
    value: tf.clone(input),
    gradFunc: (dy: tf.Tensor) => {
      const [K, rows, T, F] = dy.shape as [number, number, number, number];
      const at = (t: number) => tf.sqrt(tf.sum(tf.square(tf.slice(dy, [0, 0, t, 0], [K, rows, 1, F])), [1, 2, 3]));
      sink.push(tf.keep(tf.stack([at(0), at(T - 1)], 1) as tf.Tensor2D));
      return [dy, tf.zerosLike(theta)];
    },
  })) as unknown as Parameters<typeof tf.customGrad>[0]);
  return tap(x, anchor);
}
