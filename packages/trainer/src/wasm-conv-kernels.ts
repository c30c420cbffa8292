import * as tf from "@tensorflow/tfjs-core";
import { heapMatMul, heapOffset, type WasmBackend } from "./wasm-heap.ts";

/**
 * Convolution gradients for the wasm backend, as im2col / col2im in JS around one XNNPACK matrix
 * product (`heapMatMul`). tfjs-backend-wasm 4.22 has no `Conv2DBackpropFilter` at all
 * (tensorflow/tfjs#8474: a conv layer cannot be trained on wasm), and its `Conv2DBackpropInput` is
 * a scalar C++ loop. NHWC, dilation 1 (what tfjs's conv2d gradient asks for), any strides,
 * `same` / `valid` / explicit padding. Registered for "wasm" only: the cpu and tensorflow
 * backends keep their own kernels.
 */

interface ConvGradArgs<I, A> {
  inputs: I;
  attrs: A & {
    strides: number | [number, number];
    pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
    dataFormat: "NHWC" | "NCHW";
    dimRoundingMode?: "floor" | "round" | "ceil";
  };
  backend: WasmBackend;
}

type FilterArgs = ConvGradArgs<{ x: tf.TensorInfo; dy: tf.TensorInfo }, { filterShape: number[] }>;
type InputArgs = ConvGradArgs<{ dy: tf.TensorInfo; filter: tf.TensorInfo }, { inputShape: number[] }>;

function convInfo(
  kernel: string,
  inShape: number[],
  filterShape: number[],
  attrs: FilterArgs["attrs"] | InputArgs["attrs"],
  operands: readonly tf.TensorInfo[],
): tf.backend_util.Conv2DInfo {
  if (attrs.dataFormat !== undefined && attrs.dataFormat !== "NHWC")
    throw new Error(`${kernel} (hpo wasm kernel): only NHWC data is supported, got ${attrs.dataFormat}`);
  for (const t of operands)
    if (t.dtype !== "float32") throw new Error(`${kernel} (hpo wasm kernel): float32 operands only, got ${t.dtype}`);
  return tf.backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    "channelsLast",
  );
}

/** A scratch tensor on the wasm heap for the duration of `use` (freed on every path). */
function withScratch<T>(backend: WasmBackend, shape: number[], use: (t: tf.TensorInfo) => T): T {
  const t = backend.makeOutput(shape, "float32");
  try {
    return use(t);
  } finally {
    backend.disposeData(t.dataId, true);
  }
}

const f32 = (backend: WasmBackend, t: tf.TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;

/**
 * dW [KH, KW, C, CO] = colᵀ · dy: colᵀ [KH·KW·C, N·OH·OW] holds, for each filter tap and input
 * channel, the input value that tap saw at each output position (0 in the padding).
 */
function conv2DBackpropFilter({ inputs, attrs, backend }: FilterArgs): tf.TensorInfo {
  const { x, dy } = inputs;
  const info = convInfo("Conv2DBackpropFilter", x.shape, attrs.filterShape, attrs, [x, dy]);
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { filterHeight: KH, filterWidth: KW, outChannels: CO, strideHeight: SH, strideWidth: SW } = info;
  const { top, left } = info.padInfo;
  const M = N * OH * OW;
  const R = KH * KW * C;
  const out = backend.makeOutput([...attrs.filterShape], "float32");
  if (M === 0) {
    f32(backend, out).fill(0);
    return out;
  }
  try {
    withScratch(backend, [R, M], (colT) => {
      // views after every allocation: growing the heap detaches earlier ones
      const xs = f32(backend, x);
      const col = f32(backend, colT);
      col.fill(0);
      for (let kh = 0; kh < KH; kh++) {
        for (let kw = 0; kw < KW; kw++) {
          const rowBase = (kh * KW + kw) * C;
          for (let b = 0; b < N; b++) {
            for (let oh = 0; oh < OH; oh++) {
              const ih = oh * SH - top + kh;
              if (ih < 0 || ih >= H) continue;
              for (let ow = 0; ow < OW; ow++) {
                const iw = ow * SW - left + kw;
                if (iw < 0 || iw >= W) continue;
                const src = ((b * H + ih) * W + iw) * C;
                const m = (b * OH + oh) * OW + ow;
                for (let c = 0; c < C; c++) col[(rowBase + c) * M + m] = xs[src + c] as number;
              }
            }
          }
        }
      }
      heapMatMul(backend, heapOffset(backend, colT), heapOffset(backend, dy), heapOffset(backend, out), R, M, CO);
    });
  } catch (e) {
    backend.disposeData(out.dataId, true);
    throw e;
  }
  return out;
}

/** dx = col2im(dy · Wᵀ): each output position's [KH·KW·C] row of dy·Wᵀ is added back onto the taps it read. */
function conv2DBackpropInput({ inputs, attrs, backend }: InputArgs): tf.TensorInfo {
  const { dy, filter } = inputs;
  const info = convInfo("Conv2DBackpropInput", attrs.inputShape, filter.shape, attrs, [dy, filter]);
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { filterHeight: KH, filterWidth: KW, outChannels: CO, strideHeight: SH, strideWidth: SW } = info;
  const { top, left } = info.padInfo;
  const M = N * OH * OW;
  const R = KH * KW * C;
  const out = backend.makeOutput([...attrs.inputShape], "float32");
  try {
    withScratch(backend, [CO, R], (wT) =>
      withScratch(backend, [M, R], (dcol) => {
        const w = f32(backend, filter);
        const wt = f32(backend, wT);
        for (let r = 0; r < R; r++) for (let co = 0; co < CO; co++) wt[co * R + r] = w[r * CO + co] as number;
        if (M > 0)
          heapMatMul(backend, heapOffset(backend, dy), heapOffset(backend, wT), heapOffset(backend, dcol), M, CO, R);
        const dx = f32(backend, out);
        const d = f32(backend, dcol);
        dx.fill(0);
        for (let b = 0; b < N; b++) {
          for (let oh = 0; oh < OH; oh++) {
            for (let ow = 0; ow < OW; ow++) {
              const m = (b * OH + oh) * OW + ow;
              for (let kh = 0; kh < KH; kh++) {
                const ih = oh * SH - top + kh;
                if (ih < 0 || ih >= H) continue;
                for (let kw = 0; kw < KW; kw++) {
                  const iw = ow * SW - left + kw;
                  if (iw < 0 || iw >= W) continue;
                  const dst = ((b * H + ih) * W + iw) * C;
                  const src = m * R + (kh * KW + kw) * C;
                  for (let c = 0; c < C; c++) dx[dst + c] = (dx[dst + c] as number) + (d[src + c] as number);
                }
              }
            }
          }
        }
      }),
    );
  } catch (e) {
    backend.disposeData(out.dataId, true);
    throw e;
  }
  return out;
}

let installed = false;

/**
 * Registers `Conv2DBackpropFilter` and replaces `Conv2DBackpropInput` on the wasm backend with the
 * im2col / col2im kernels above. Idempotent; returns false (and does nothing) when the wasm
 * backend's BatchMatMul kernel is not registered.
 */
export function installWasmConvKernels(): boolean {
  if (installed) return true;
  if (!tf.getKernel("BatchMatMul", "wasm")) return false;
  installed = true;
  if (tf.getKernel("Conv2DBackpropFilter", "wasm")) tf.unregisterKernel("Conv2DBackpropFilter", "wasm");
  if (tf.getKernel("Conv2DBackpropInput", "wasm")) tf.unregisterKernel("Conv2DBackpropInput", "wasm");
  tf.registerKernel({
    kernelName: "Conv2DBackpropFilter",
    backendName: "wasm",
    kernelFunc: conv2DBackpropFilter as unknown as tf.KernelFunc,
  });
  tf.registerKernel({
    kernelName: "Conv2DBackpropInput",
    backendName: "wasm",
    kernelFunc: conv2DBackpropInput as unknown as tf.KernelFunc,
  });
  return true;
}
