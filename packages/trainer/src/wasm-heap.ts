import type * as tf from "@tensorflow/tfjs-core";

/**
 * What the trainer's custom wasm kernels use of tfjs-backend-wasm's `BackendWasm` (a structural
 * subset: the class is not exported with these members typed).
 */
export interface WasmBackend {
  dataIdNextNumber: number;
  dataIdMap: { get(dataId: object): { id: number; memoryOffset: number } };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: object, force?: boolean): boolean;
  wasm: {
    cwrap(name: string, ret: null, args: string[]): (...args: unknown[]) => void;
    tfjs: { registerTensor(id: number, size: number, offset: number): void; disposeData(id: number): void };
  };
}

const shapeBytes = (shape: readonly number[]) => new Uint8Array(new Int32Array(shape).buffer);

const batchMatMuls = new WeakMap<WasmBackend, (...args: unknown[]) => void>();

/**
 * out = a · b for row-major a [m, s] and b [s, n] at byte offsets of the wasm heap (out [m, n]):
 * tfjs's own `BatchMatMul` wasm function as a batch-of-one untransposed product, the case that
 * runs through XNNPACK. The operands are registered as temporary tensor ids over the given
 * memory (views, no copy) and released right after, which also drops the packed copy of `b`
 * XNNPACK caches per right operand.
 */
export function heapMatMul(
  backend: WasmBackend,
  aOffset: number,
  bOffset: number,
  outOffset: number,
  m: number,
  s: number,
  n: number,
): void {
  let fn = batchMatMuls.get(backend);
  if (!fn) {
    fn = backend.wasm.cwrap("BatchMatMul", null, [
      "number",
      "array",
      "number",
      "number",
      "array",
      "number",
      "number",
      "number",
      "number",
    ]);
    batchMatMuls.set(backend, fn);
  }
  const { tfjs } = backend.wasm;
  const aId = backend.dataIdNextNumber++;
  const bId = backend.dataIdNextNumber++;
  const oId = backend.dataIdNextNumber++;
  tfjs.registerTensor(aId, m * s, aOffset);
  tfjs.registerTensor(bId, s * n, bOffset);
  tfjs.registerTensor(oId, m * n, outOffset);
  try {
    fn(aId, shapeBytes([1, m, s]), 3, bId, shapeBytes([1, s, n]), 3, false, false, oId);
  } finally {
    tfjs.disposeData(aId);
    tfjs.disposeData(bId);
    tfjs.disposeData(oId);
  }
}

/** Heap byte offset of a tensor's data. */
export function heapOffset(backend: WasmBackend, t: tf.TensorInfo): number {
  return backend.dataIdMap.get(t.dataId).memoryOffset;
}
