import type * as tf from "@tensorflow/tfjs-core";

/**
 * What the trainer's custom wasm kernels use of tfjs-backend-wasm's `BackendWasm` (a structural
 * subset: the class is not exported with these members typed).
 */
export interface WasmBackend {
  dataIdNextNumber: number;
  dataIdMap: {
    get(dataId: object): HeapData;
    set(dataId: object, value: HeapData): void;
    delete(dataId: object): boolean;
  };
  incRef(dataId: object): void;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: object, force?: boolean): boolean;
  wasm: {
    cwrap(name: string, ret: null, args: string[]): (...args: unknown[]) => void;
    tfjs: { registerTensor(id: number, size: number, offset: number): void; disposeData(id: number): void };
  };
}

/** The wasm backend's record of one tensor's data. */
interface HeapData {
  id: number;
  memoryOffset: number;
  shape: number[];
  dtype: tf.DataType;
  refCount: number;
}

/**
 * A float32 tensor over part of another's heap memory (from float `offset`, of `shape`): a new
 * data id in the backend's map and the wasm side's, no copy. For kernels only: pass it to kernel
 * functions, then `releaseHeapView` it (the memory stays the owner's).
 */
export function heapView(backend: WasmBackend, t: tf.TensorInfo, offset: number, shape: number[]): tf.TensorInfo {
  const dataId = {};
  const id = backend.dataIdNextNumber++;
  const memoryOffset = heapOffset(backend, t) + 4 * offset;
  backend.dataIdMap.set(dataId, { id, memoryOffset, shape, dtype: "float32", refCount: 1 });
  backend.wasm.tfjs.registerTensor(
    id,
    shape.reduce((a, b) => a * b, 1),
    memoryOffset,
  );
  return { dataId, shape, dtype: "float32" };
}

/** Forgets a `heapView` (its memory is left to its owner; cached XNNPACK operators on it are dropped). */
export function releaseHeapView(backend: WasmBackend, view: tf.TensorInfo): void {
  backend.wasm.tfjs.disposeData(backend.dataIdMap.get(view.dataId).id);
  backend.dataIdMap.delete(view.dataId);
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

/** A float32 scratch tensor on the wasm heap for the duration of `use` (freed on every path). */
export function withScratch<T>(backend: WasmBackend, shape: number[], use: (t: tf.TensorInfo) => T): T {
  const t = backend.makeOutput(shape, "float32");
  try {
    return use(t);
  } finally {
    backend.disposeData(t.dataId, true);
  }
}

/** Heap byte offset of a tensor's data. */
export function heapOffset(backend: WasmBackend, t: tf.TensorInfo): number {
  return backend.dataIdMap.get(t.dataId).memoryOffset;
}

/** A convolution `heapConv2D` runs: NHWC input [n, h, w, ci], filter [kh, kw, ci, co], explicit padding. */
export interface HeapConvShape {
  readonly n: number;
  readonly h: number;
  readonly w: number;
  readonly ci: number;
  readonly kh: number;
  readonly kw: number;
  readonly co: number;
  readonly pad: { readonly top: number; readonly right: number; readonly bottom: number; readonly left: number };
  readonly stride: readonly [number, number];
  readonly dilation: readonly [number, number];
}

/** Output height and width of a `heapConv2D` convolution (XNNPACK's arithmetic). */
export function heapConvOutSize(c: HeapConvShape): [number, number] {
  const oh = Math.floor((c.h + c.pad.top + c.pad.bottom - (c.dilation[0] * (c.kh - 1) + 1)) / c.stride[0]) + 1;
  const ow = Math.floor((c.w + c.pad.left + c.pad.right - (c.dilation[1] * (c.kw - 1) + 1)) / c.stride[1]) + 1;
  return [oh, ow];
}

const conv2Ds = new WeakMap<WasmBackend, (...args: unknown[]) => void>();
const fusedConv2Ds = new WeakMap<WasmBackend, (...args: unknown[]) => void>();

/**
 * out [n, oh, ow, co] = conv2d(x, filter) for NHWC data at byte offsets of the wasm heap: tfjs's
 * own `Conv2D` wasm function (one XNNPACK convolution), on temporary tensor ids over the given
 * memory (views, no copy) released right after, which also drops the XNNPACK operator tfjs caches
 * per filter id (its packed filter). With `biasOffset` (a [co] vector), tfjs's `FusedConv2D`
 * instead, which adds the bias inside XNNPACK's product. Padding must be explicit and ≥ 0; the
 * output size is `heapConvOutSize`'s and must be ≥ 1 in both dimensions (throws otherwise:
 * XNNPACK would abort).
 */
export function heapConv2D(
  backend: WasmBackend,
  xOffset: number,
  filterOffset: number,
  outOffset: number,
  c: HeapConvShape,
  biasOffset?: number,
): void {
  const [oh, ow] = heapConvOutSize(c);
  const { top, right, bottom, left } = c.pad;
  if (oh < 1 || ow < 1 || Math.min(top, right, bottom, left) < 0)
    throw new Error(`heapConv2D: no output for ${JSON.stringify(c)}`);
  const fused = biasOffset !== undefined;
  const cache = fused ? fusedConv2Ds : conv2Ds;
  let fn = cache.get(backend);
  if (!fn) {
    fn = backend.wasm.cwrap(fused ? "FusedConv2D" : "Conv2D", null, new Array<string>(fused ? 23 : 19).fill("number"));
    cache.set(backend, fn);
  }
  const { tfjs } = backend.wasm;
  const xId = backend.dataIdNextNumber++;
  const fId = backend.dataIdNextNumber++;
  const oId = backend.dataIdNextNumber++;
  const bId = fused ? backend.dataIdNextNumber++ : -1;
  tfjs.registerTensor(xId, c.n * c.h * c.w * c.ci, xOffset);
  tfjs.registerTensor(fId, c.kh * c.kw * c.ci * c.co, filterOffset);
  tfjs.registerTensor(oId, c.n * oh * ow * c.co, outOffset);
  if (fused) tfjs.registerTensor(bId, c.co, biasOffset);
  const pads = [top, right, bottom, left, 0 /* not SAME: explicit */];
  const geometry = [...c.dilation, ...c.stride, c.ci, c.co];
  try {
    if (fused) fn(xId, c.n, c.h, c.w, fId, c.kh, c.kw, bId, ...pads, ...geometry, 0 /* linear */, 0, 0, oId);
    else fn(xId, c.n, c.h, c.w, fId, c.kh, c.kw, ...pads, ...geometry, oId);
  } finally {
    tfjs.disposeData(xId);
    tfjs.disposeData(fId);
    tfjs.disposeData(oId);
    if (fused) tfjs.disposeData(bId);
  }
}

const transposes = new WeakMap<WasmBackend, (...args: unknown[]) => void>();

/**
 * out = x transposed by `perm` for float32 data of `shape` at byte offsets of the wasm heap:
 * tfjs's own `Transpose` wasm function on temporary tensor ids (views, no copy). Ranks 2–4 run
 * its specialised loops.
 */
export function heapTranspose(
  backend: WasmBackend,
  xOffset: number,
  shape: readonly number[],
  perm: readonly number[],
  outOffset: number,
): void {
  let fn = transposes.get(backend);
  if (!fn) {
    fn = backend.wasm.cwrap("Transpose", null, ["number", "array", "number", "number", "number", "array", "number"]);
    transposes.set(backend, fn);
  }
  const size = shape.reduce((a, b) => a * b, 1);
  const { tfjs } = backend.wasm;
  const xId = backend.dataIdNextNumber++;
  const oId = backend.dataIdNextNumber++;
  tfjs.registerTensor(xId, size, xOffset);
  tfjs.registerTensor(oId, size, outOffset);
  try {
    fn(xId, shapeBytes(shape), shape.length, 0 /* float32 */, oId, shapeBytes(perm), perm.length);
  } finally {
    tfjs.disposeData(xId);
    tfjs.disposeData(oId);
  }
}
