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

/**
 * A stream of inverted-dropout masks that draws exactly what `dropoutMask(size, rate,
 * createRng(seed))` draws call after call (the same mulberry32 sequence as @hpo/core's
 * `createRng`), with the generator inlined and no allocation: about 10× faster, which matters
 * because a training step draws one number per hidden unit and row.
 */
export class DropoutStream {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Writes the next `size` mask entries into `out` from `offset`. */
  fill(out: Float32Array, offset: number, size: number, rate: number): void {
    const keep = 1 / (1 - rate);
    // next() < rate ⇔ uint32 / 2³² < rate ⇔ uint32 < rate·2³² (both sides exact in float64).
    const threshold = rate * 4294967296;
    let s = this.state;
    const end = offset + size;
    for (let i = offset; i < end; i++) {
      s = (s + 0x6d2b79f5) >>> 0;
      let t = Math.imul(s ^ (s >>> 15), s | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      out[i] = (t ^ (t >>> 14)) >>> 0 < threshold ? 0 : keep;
    }
    this.state = s;
  }
}
