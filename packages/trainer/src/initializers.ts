import type { Rng } from "@hpo/core";
import type { InitializerName } from "./params.ts";

/**
 * A kernel of shape [fanIn, fanOut] drawn from `rng`:
 * glorot (Xavier) uniform U(−l, l) with l = √(6 / (fanIn + fanOut));
 * he (Kaiming) normal N(0, 2 / fanIn);
 * pytorch U(−l, l) with l = 1/√fanIn (PyTorch's default for Linear and Conv2d weights:
 * kaiming_uniform with a = √5).
 */
export function initKernel(name: InitializerName, fanIn: number, fanOut: number, rng: Rng): Float32Array {
  return initWeights(name, fanIn * fanOut, fanIn, fanOut, rng);
}

/**
 * `count` weights drawn as `initKernel` draws them for the given fans (a conv kernel: fanIn =
 * kh·kw·in channels, fanOut = kh·kw·filters, as Keras).
 */
export function initWeights(
  name: InitializerName,
  count: number,
  fanIn: number,
  fanOut: number,
  rng: Rng,
): Float32Array {
  const out = new Float32Array(count);
  if (name === "glorot" || name === "pytorch") {
    const limit = name === "glorot" ? Math.sqrt(6 / (fanIn + fanOut)) : 1 / Math.sqrt(fanIn);
    for (let i = 0; i < out.length; i++) out[i] = (rng.next() * 2 - 1) * limit;
  } else {
    const std = Math.sqrt(2 / fanIn);
    for (let i = 0; i < out.length; i++) out[i] = rng.normal() * std;
  }
  return out;
}

/**
 * The `count` biases of a dense or conv layer whose kernels `name` draws with `fanIn`: 0, or for
 * pytorch U(−l, l) with l = 1/√fanIn drawn from `rng` (PyTorch's default for Linear and Conv2d).
 */
export function initBias(name: InitializerName, count: number, fanIn: number, rng: Rng): Float32Array {
  const out = new Float32Array(count);
  if (name !== "pytorch") return out;
  const limit = 1 / Math.sqrt(fanIn);
  for (let i = 0; i < out.length; i++) out[i] = (rng.next() * 2 - 1) * limit;
  return out;
}

/**
 * `blocks` square n×n orthogonal matrices side by side, [n, blocks·n] row-major (Keras'
 * `orthogonal` recurrent initializer, one block per gate): Gram–Schmidt on Gaussian columns.
 */
export function initOrthogonal(n: number, blocks: number, rng: Rng): Float32Array {
  const out = new Float32Array(n * n * blocks);
  for (let b = 0; b < blocks; b++) {
    const cols: Float64Array[] = [];
    while (cols.length < n) {
      const v = Float64Array.from({ length: n }, () => rng.normal());
      for (const c of cols) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += (v[i] as number) * (c[i] as number);
        for (let i = 0; i < n; i++) v[i] = (v[i] as number) - dot * (c[i] as number);
      }
      let norm = 0;
      for (const x of v) norm += x * x;
      norm = Math.sqrt(norm);
      if (norm < 1e-6) continue; // a draw (almost) in the span of the others: draw again
      cols.push(v.map((x) => x / norm));
    }
    cols.forEach((c, j) => {
      for (let i = 0; i < n; i++) out[i * n * blocks + b * n + j] = c[i] as number;
    });
  }
  return out;
}
