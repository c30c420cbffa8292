/**
 * A seeded stream of inverted-dropout masks, built for speed (a training step draws one mask entry
 * per hidden unit and row): the generator is @hpo/core's mulberry32 inlined, and each 32-bit draw
 * decides two entries, one per 16-bit half, so the drop probability is `rate` rounded to a
 * multiple of 1/65536 (within 7.7e-6 of it). Deterministic in the seed and the sequence of calls.
 */
export class DropoutStream {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Writes the next `size` mask entries into `out` from `offset`. */
  fill(out: Float32Array, offset: number, size: number, rate: number): void {
    const keep = 1 / (1 - rate);
    const threshold = Math.round(rate * 65536);
    let s = this.state;
    const end = offset + size;
    for (let i = offset; i < end; i += 2) {
      s = (s + 0x6d2b79f5) >>> 0;
      let t = Math.imul(s ^ (s >>> 15), s | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      t ^= t >>> 14;
      out[i] = (t & 0xffff) < threshold ? 0 : keep;
      // An odd size leaves the last draw's upper half unused.
      if (i + 1 < end) out[i + 1] = t >>> 16 < threshold ? 0 : keep;
    }
    this.state = s;
  }
}
