import * as tf from "@tensorflow/tfjs-core";

/** What the wasm backend offers for reading and writing a tensor in place (subset of BackendWasm). */
interface HeapBackend {
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
  refCount(dataId: tf.DataId): number;
}

/**
 * A tensor's float32 values: on wasm a view of the heap (no copy; valid until the next tensor is
 * allocated, which may grow and move the heap), elsewhere `dataSync()`.
 */
export function readValues(t: tf.Tensor): Float32Array {
  if (tf.getBackend() === "wasm") return (tf.backend() as unknown as HeapBackend).typedArrayFromHeap(t);
  return t.dataSync() as Float32Array;
}

/**
 * Runs an optimizer's update rule as one JS pass over every element instead of a dozen tensor
 * ops each reading and writing the whole [K, P] vector. `vars[0]` is the parameter, the rest its
 * state slots; all have the same shape, K packed models of `size / K` values each.
 * `rule(k, from, to, src, dst)` computes elements [from, to) (model k's) of every output `dst[j]`
 * (the new value of `vars[j]`) from `src` (the old values of `vars`, then the gradient `g`);
 * reading element i of every source before writing element i of any output, since an output may
 * be its source. On wasm a variable whose memory no other tensor shares is updated in place on the
 * heap (no allocation, no upload); otherwise the new values are uploaded and assigned. Models
 * whose `active[k]` is false keep every value. Call inside a tidy.
 */
export function fusedUpdate(
  vars: readonly tf.Variable[],
  g: tf.Tensor,
  K: number,
  active: readonly boolean[] | undefined,
  rule: (k: number, from: number, to: number, src: readonly Float32Array[], dst: readonly Float32Array[]) => void,
): void {
  const n = (vars[0] as tf.Variable).size;
  const per = n / K;
  const wasm = tf.getBackend() === "wasm";
  const backend = tf.backend() as unknown as HeapBackend;
  const src = [...vars.map(readValues), readValues(g)];
  // In place when nothing else reads the variable's memory (a snapshot or reshape may share it).
  const inPlace = vars.map((v) => wasm && backend.refCount(v.dataId) === 1);
  // Fresh outputs otherwise: the cpu backend keeps the array it is given as the tensor's storage.
  const dst = vars.map((_, j) => (inPlace[j] ? (src[j] as Float32Array) : new Float32Array(n)));
  for (let k = 0; k < K; k++) {
    const from = k * per;
    const to = from + per;
    if (active && !active[k]) {
      vars.forEach((_, j) => {
        if (!inPlace[j]) (dst[j] as Float32Array).set((src[j] as Float32Array).subarray(from, to), from);
      });
    } else {
      rule(k, from, to, src, dst);
    }
  }
  // Every value is computed before the first upload (an upload may move the heap under `src`).
  vars.forEach((v, j) => {
    if (!inPlace[j]) v.assign(tf.tensor(dst[j] as Float32Array, v.shape, "float32"));
  });
}
