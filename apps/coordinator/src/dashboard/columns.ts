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
 * `slots` in ascending order of `key[slot]`, ties by slot (all keys non-NaN, slots < `size`).
 * Only native numeric sorts (a comparator sort of 100,000 slots holds the event loop 4–5× longer):
 * each key is replaced by its rank among the distinct keys, and rank × size + slot is exact in a
 * double while ranks × size < 2^53 (any table under 90 million slots).
 */
export function sortByKey(key: Float64Array, slots: Uint32Array, size: number): Uint32Array {
  const n = slots.length;
  const distinct = new Float64Array(n);
  for (let j = 0; j < n; j++) distinct[j] = key[slots[j] as number] as number;
  distinct.sort();
  let u = 0;
  for (let j = 0; j < n; j++) if (u === 0 || distinct[j] !== distinct[u - 1]) distinct[u++] = distinct[j] as number;
  const packed = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const slot = slots[j] as number;
    const v = key[slot] as number;
    let lo = 0;
    let hi = u - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((distinct[mid] as number) < v) lo = mid + 1;
      else hi = mid;
    }
    packed[j] = lo * size + slot;
  }
  packed.sort();
  const out = new Uint32Array(n);
  for (let j = 0; j < n; j++) out[j] = (packed[j] as number) % size;
  return out;
}
