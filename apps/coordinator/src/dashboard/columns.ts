/**
 * Column helpers of the sweep table: typed arrays that grow (new room filled with the "missing"
 * value) and the sort of slots by a numeric key.
 */

/** Grows a column to at least `n` entries (doubling), filling new room with NaN / 0 / −1. */
class Grow {
  f64(a: Float64Array, n: number): Float64Array {
    if (a.length >= n) return a;
    const b = new Float64Array(Math.max(n, a.length * 2, 1024)).fill(Number.NaN);
    b.set(a);
    return b;
  }
  u8(a: Uint8Array, n: number, fill = 0): Uint8Array {
    if (a.length >= n) return a;
    const b = new Uint8Array(Math.max(n, a.length * 2, 1024)).fill(fill);
    b.set(a);
    return b;
  }
  i32(a: Int32Array, n: number): Int32Array {
    if (a.length >= n) return a;
    const b = new Int32Array(Math.max(n, a.length * 2, 1024)).fill(-1);
    b.set(a);
    return b;
  }
}
export const grow = new Grow();

/**
 * `slots` in ascending order of `key[slot]`, ties in the order of `slots` (all keys non-NaN;
 * −0 equals 0). An LSD radix sort over the keys' 64 bits, 16 at a time, carrying the slots (a
 * comparator sort of 100,000 slots holds the event loop about ten times longer); passes whose
 * digit is the same for every key are skipped.
 */
export function sortByKey(key: Float64Array, slots: Uint32Array): Uint32Array {
  const n = slots.length;
  let idx = Uint32Array.from(slots);
  if (n < 2) return idx;
  let hi = new Uint32Array(n);
  let lo = new Uint32Array(n);
  const f = new Float64Array(1);
  const bits = new Uint32Array(f.buffer); // little-endian: [low word, high word]
  for (let j = 0; j < n; j++) {
    f[0] = (key[slots[j] as number] as number) + 0; // −0 + 0 is +0
    const h = bits[1] as number;
    const l = bits[0] as number;
    // order-preserving as unsigned: negatives flipped whole, positives get the sign bit set
    if (h & 0x80000000) {
      hi[j] = ~h >>> 0;
      lo[j] = ~l >>> 0;
    } else {
      hi[j] = (h | 0x80000000) >>> 0;
      lo[j] = l;
    }
  }
  let hi2 = new Uint32Array(n);
  let lo2 = new Uint32Array(n);
  let idx2 = new Uint32Array(n);
  const count = new Uint32Array(65536);
  for (let pass = 0; pass < 4; pass++) {
    const src = pass < 2 ? lo : hi;
    const shift = (pass & 1) * 16;
    count.fill(0);
    for (let j = 0; j < n; j++) {
      const d = ((src[j] as number) >>> shift) & 0xffff;
      count[d] = (count[d] as number) + 1;
    }
    if (count[((src[0] as number) >>> shift) & 0xffff] === n) continue;
    let sum = 0;
    for (let d = 0; d < 65536; d++) {
      const c = count[d] as number;
      count[d] = sum;
      sum += c;
    }
    for (let j = 0; j < n; j++) {
      const d = ((src[j] as number) >>> shift) & 0xffff;
      const to = count[d] as number;
      count[d] = to + 1;
      hi2[to] = hi[j] as number;
      lo2[to] = lo[j] as number;
      idx2[to] = idx[j] as number;
    }
    [hi, hi2] = [hi2, hi];
    [lo, lo2] = [lo2, lo];
    [idx, idx2] = [idx2, idx];
  }
  return idx;
}
