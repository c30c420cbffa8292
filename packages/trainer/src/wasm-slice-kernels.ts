import * as tf from "@tensorflow/tfjs-core";
import { setWasmKernel } from "./wasm-register.ts";

/** What the wasm backend offers kernels (a structural subset of tfjs-backend-wasm's BackendWasm). */
interface HeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

interface SliceArgs {
  inputs: { x: tf.TensorInfo };
  attrs: { begin: number | number[]; size: number | number[] };
  backend: HeapBackend;
}

/**
 * Slice on the wasm heap. tfjs-backend-wasm's own Slice (and SplitV, built on it) first copies
 * the *whole* source tensor out of the heap (`readSync`) for every slice, so taking a batch from a
 * dataset or splitting a weight tensor K ways costs K copies of the full source. This reads the
 * source in place and copies only the sliced runs; the result is identical.
 */
function heapSlice(args: SliceArgs, fallback: tf.KernelFunc): tf.TensorInfo {
  const { inputs, attrs, backend } = args;
  const { x } = inputs;
  if (x.dtype === "string") return fallback(args as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
  const [begin, size] = tf.slice_util.parseSliceParams(x as tf.Tensor, attrs.begin, attrs.size) as [number[], number[]];
  const out = backend.makeOutput(size, x.dtype);
  const total = size.reduce((a, b) => a * b, 1);
  if (total === 0) return out;
  // Views are taken after makeOutput: growing the heap detaches earlier views.
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  const shape = x.shape;
  const rank = shape.length;
  if (rank === 0) {
    dst[0] = src[0] as number;
    return out;
  }
  const strides = new Array<number>(rank).fill(1);
  for (let j = rank - 2; j >= 0; j--) strides[j] = (strides[j + 1] as number) * (shape[j + 1] as number);
  // Axes after `a` are taken whole, so each position of the axes before `a` is one contiguous run.
  let a = rank - 1;
  while (a > 0 && size[a] === shape[a]) a--;
  const run = (size[a] as number) * (strides[a] as number);
  const idx = begin.slice(0, a);
  let outOffset = 0;
  for (;;) {
    let offset = (begin[a] as number) * (strides[a] as number);
    for (let j = 0; j < a; j++) offset += (idx[j] as number) * (strides[j] as number);
    dst.set(src.subarray(offset, offset + run), outOffset);
    outOffset += run;
    let j = a - 1;
    while (j >= 0) {
      idx[j] = (idx[j] as number) + 1;
      if ((idx[j] as number) < (begin[j] as number) + (size[j] as number)) break;
      idx[j] = begin[j] as number;
      j--;
    }
    if (j < 0) break;
  }
  return out;
}

let installed = false;

/**
 * Replaces the wasm backend's Slice and SplitV kernels by `heapSlice`-based ones (same results,
 * no full-source copy per slice). Idempotent; returns false (and does nothing) when the wasm kernels are not registered.
 */
export function installWasmSliceKernels(): boolean {
  if (installed) return true;
  const slice = tf.getKernel("Slice", "wasm");
  const split = tf.getKernel("SplitV", "wasm");
  if (!slice || !split) return false;
  installed = true;
  const sliceFn = (args: SliceArgs) => heapSlice(args, slice.kernelFunc);
  const splitFn = (args: {
    inputs: { x: tf.TensorInfo };
    attrs: { numOrSizeSplits: number | number[]; axis: number };
    backend: HeapBackend;
  }) => {
    const { x } = args.inputs;
    const axis = tf.util.parseAxisParam(args.attrs.axis, x.shape)[0] as number;
    const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, args.attrs.numOrSizeSplits, axis);
    const begin = new Array<number>(x.shape.length).fill(0);
    return sizes.map((s) => {
      const size = [...x.shape];
      size[axis] = s;
      const part = heapSlice(
        { inputs: { x }, attrs: { begin: [...begin], size }, backend: args.backend },
        slice.kernelFunc,
      );
      begin[axis] = (begin[axis] as number) + s;
      return part;
    });
  };
  setWasmKernel("Slice", sliceFn);
  setWasmKernel("SplitV", splitFn);
  return true;
}
