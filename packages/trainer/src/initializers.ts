import type { Rng } from "@hpo/core";
import type { InitializerName } from "./params.ts";

/**
 * A kernel of shape [fanIn, fanOut] drawn from `rng`:
 * glorot (Xavier) uniform U(−l, l) with l = √(6 / (fanIn + fanOut));
 * he (Kaiming) normal N(0, 2 / fanIn).
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
  if (name === "glorot") {
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    for (let i = 0; i < out.length; i++) out[i] = (rng.next() * 2 - 1) * limit;
  } else {
    const std = Math.sqrt(2 / fanIn);
    for (let i = 0; i < out.length; i++) out[i] = rng.normal() * std;
  }
  return out;
}
