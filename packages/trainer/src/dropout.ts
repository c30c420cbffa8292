import type { Rng } from "@hpo/core";

/**
 * An inverted-dropout mask of `size` entries: each is 0 with probability `rate` and 1/(1−rate)
 * otherwise, so the expectation of masked activations equals the activations. Every call draws a
 * fresh mask from `rng` (never reused between steps).
 */
export function dropoutMask(size: number, rate: number, rng: Rng): Float32Array {
  const out = new Float32Array(size);
  const keep = 1 / (1 - rate);
  for (let i = 0; i < size; i++) out[i] = rng.next() < rate ? 0 : keep;
  return out;
}
