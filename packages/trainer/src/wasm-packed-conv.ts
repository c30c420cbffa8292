import * as tf from "@tensorflow/tfjs-core";
import { cKernels } from "./c-kernels.ts";
import { convFilterGradInto, convInputGradInto } from "./wasm-conv-kernels.ts";
import { isSingleChannelConv, singleChannelPackedConv } from "./wasm-conv-single-channel.ts";
import {
  type HeapConvShape,
  heapConv2D,
  heapConvOutSize,
  heapOffset,
  heapView,
  releaseHeapView,
  type WasmBackend,
} from "./wasm-heap.ts";
import { setWasmKernel } from "./wasm-register.ts";
import { winogradConvOf, winogradConvs } from "./wasm-winograd-conv.ts";

/** The packed convolution's kernel names (wasm backend only; see `installWasmPackedConv`). */
export const PACKED_CONV = "HpoPackedConv2D";
const PACKED_CONV_DX = "HpoPackedConv2DBackpropInput";
const PACKED_CONV_DW = "HpoPackedConv2DBackpropFilter";
const PACKED_CONV_DB = "HpoPackedConv2DBiasGrad";

/** The attributes of all four kernels: K models, one stride and padding for all. */
interface PackedConvAttrs {
  k: number;
  strides: [number, number];
  pad: "same" | "valid";
}

/** Model k's conv: x [rows, H, W, C] (of x [K·rows, H, W, C]) with filter [KH, KW, C, F]. */
function modelInfo(xShape: readonly number[], filterShape: readonly number[], a: PackedConvAttrs) {
  const [kRows, H, W, C] = xShape as [number, number, number, number];
  const [, KH, KW, Cf, F] = filterShape as [number, number, number, number, number];
  if (kRows % a.k !== 0 || Cf !== C)
    throw new Error(`${PACKED_CONV}: x [${xShape}] and filters [${filterShape}] do not fit ${a.k} models`);
  return tf.backend_util.computeConv2DInfo([kRows / a.k, H, W, C], [KH, KW, C, F], a.strides, 1, a.pad);
}

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/**
 * Runs `each(k, views)` over model k's part of every tensor (views over the heap, released after):
 * `parts[i]` is the tensor and the shape of one model's part.
 */
function perModel(
  backend: WasmBackend,
  k: number,
  parts: readonly [tf.TensorInfo, number[]][],
  each: (views: tf.TensorInfo[]) => void,
): void {
  for (let m = 0; m < k; m++) {
    const views = parts.map(([t, shape]) => heapView(backend, t, m * size(shape), shape));
    try {
      each(views);
    } finally {
      for (const v of views) releaseHeapView(backend, v);
    }
  }
}

interface KernelArgs<I> {
  inputs: I;
  attrs: PackedConvAttrs;
  backend: WasmBackend;
}

function forward({
  inputs,
  attrs,
  backend,
}: KernelArgs<{ x: tf.TensorInfo; filter: tf.TensorInfo; bias: tf.TensorInfo }>) {
  const { x, filter, bias } = inputs;
  const info = modelInfo(x.shape, filter.shape, attrs);
  if (isSingleChannelConv(info)) return singleChannelPackedConv(backend, x, filter, bias, attrs.k, info);
  const conv: HeapConvShape = {
    n: info.batchSize,
    h: info.inHeight,
    w: info.inWidth,
    ci: info.inChannels,
    kh: info.filterHeight,
    kw: info.filterWidth,
    co: info.outChannels,
    pad: info.padInfo,
    stride: [info.strideHeight, info.strideWidth],
    dilation: [1, 1],
  };
  const [oh, ow] = heapConvOutSize(conv);
  if (oh !== info.outHeight || ow !== info.outWidth)
    throw new Error(
      `${PACKED_CONV}: XNNPACK would size the output ${oh}×${ow}, tfjs ${info.outHeight}×${info.outWidth}`,
    );
  const out = backend.makeOutput([attrs.k * info.batchSize, oh, ow, info.outChannels], "float32");
  const xSize = size(info.inShape);
  const fSize = size(filter.shape) / attrs.k;
  const oSize = size(info.outShape);
  const winograd = winogradConvOf(info, "output");
  if (winograd) {
    const models = Array.from({ length: attrs.k }, (_, m) => ({
      x: heapOffset(backend, x) + 4 * m * xSize,
      filter: heapOffset(backend, filter) + 4 * m * fSize,
      out: heapOffset(backend, out) + 4 * m * oSize,
      bias: heapOffset(backend, bias) + 4 * m * info.outChannels,
    }));
    winogradConvs(backend, winograd, models);
    return out;
  }
  for (let m = 0; m < attrs.k; m++)
    heapConv2D(
      backend,
      heapOffset(backend, x) + 4 * m * xSize,
      heapOffset(backend, filter) + 4 * m * fSize,
      heapOffset(backend, out) + 4 * m * oSize,
      conv,
      heapOffset(backend, bias) + 4 * m * info.outChannels,
    );
  return out;
}

type GradInputs = { x: tf.TensorInfo; dy: tf.TensorInfo; filter: tf.TensorInfo };
type GradInto = (
  backend: WasmBackend,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  out: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
) => void;

/** A backward kernel whose output is shaped like input `of`: `into` writes model k's part of it. */
function gradKernel(of: "x" | "filter", into: GradInto) {
  return ({ inputs, attrs, backend }: KernelArgs<GradInputs>) => {
    const { x, dy, filter } = inputs;
    const info = modelInfo(x.shape, filter.shape, attrs);
    const out = backend.makeOutput([...inputs[of].shape], "float32");
    const filterShape = filter.shape.slice(1);
    const parts: [tf.TensorInfo, number[]][] = [
      [x, info.inShape],
      [dy, info.outShape],
      [filter, filterShape],
      [out, of === "x" ? info.inShape : filterShape],
    ];
    perModel(backend, attrs.k, parts, ([xk, dk, fk, ok]) => into(backend, xk!, dk!, fk!, ok!, info));
    return out;
  };
}

const inputGrad = gradKernel("x", (backend, _x, dy, f, out, info) => convInputGradInto(backend, dy, f, out, info));
const filterGrad = gradKernel("filter", (backend, x, dy, _f, out, info) =>
  convFilterGradInto(backend, x, dy, out, info),
);

/** db [K, F]: each model's dy summed over its rows and positions (in float64, then rounded; C). */
function biasGrad({ inputs, attrs, backend }: KernelArgs<{ dy: tf.TensorInfo }>) {
  const { dy } = inputs;
  const F = dy.shape[3] as number;
  const out = backend.makeOutput([attrs.k, F], "float32");
  const rows = size(dy.shape) / F / attrs.k;
  cKernels(backend).bias_grad(heapOffset(backend, dy), heapOffset(backend, out), attrs.k, rows, F);
  return out;
}

let installed = false;

/**
 * Registers `HpoPackedConv2D` on the wasm backend, with its gradient: K models' convolutions of
 * one layer, x [K·rows, H, W, C] (model k's rows the k-th block) with filters [K, KH, KW, C, F]
 * plus bias [K, F] → [K·rows, OH, OW, F], model by model through tfjs's own `FusedConv2D` wasm
 * function (XNNPACK, the bias added inside the product) on views of the heap (a single-channel
 * stride-1 layer by hpo's C kernel instead, `singleChannelPackedConv`, and stride-1 3×3 and 5×5
 * layers of 4 channels or more by Winograd, `winogradConvs`). Where `tf.split`,
 * K `tf.conv2d`, `tf.concat` and a broadcast bias add copy the input, the output and (backward)
 * the output gradient and the input gradient, and the bias add and its gradient's sum are slow
 * broadcasts over [K, rows, H, W, F] on wasm, this copies nothing. Gradients: the conv kernels of
 * wasm-conv-kernels.ts per model, the bias one a JS sum; only those autodiff asks for run.
 * Idempotent; false when the wasm backend is not registered.
 */
export function installWasmPackedConv(): boolean {
  if (installed) return true;
  if (!tf.getKernel("FusedConv2D", "wasm")) return false;
  installed = true;
  const kernels: [string, unknown][] = [
    [PACKED_CONV, forward],
    [PACKED_CONV_DX, inputGrad],
    [PACKED_CONV_DW, filterGrad],
    [PACKED_CONV_DB, biasGrad],
  ];
  for (const [kernelName, kernelFunc] of kernels) setWasmKernel(kernelName, kernelFunc);
  tf.registerGradient({
    kernelName: PACKED_CONV,
    inputsToSave: ["x", "filter"],
    gradFunc: (dy, saved, attrs) => {
      const [x, filter] = saved as [tf.Tensor, tf.Tensor];
      const g = dy as tf.Tensor;
      const run = (name: string, ins: tf.NamedTensorMap) =>
        tf.engine().runKernel(name, ins, attrs as tf.NamedAttrMap) as tf.Tensor;
      return {
        x: () => run(PACKED_CONV_DX, { x, dy: g, filter }),
        filter: () => run(PACKED_CONV_DW, { x, dy: g, filter }),
        bias: () => run(PACKED_CONV_DB, { dy: g }),
      };
    },
  });
  return true;
}

/**
 * K models' conv layer on wasm (after `installWasmPackedConv`): x [K·rows, H, W, C], filters
 * [K, KH, KW, C, F], bias [K, F] → [K·rows, OH, OW, F]. Differentiable in all three.
 */
export function wasmPackedConv2d(
  x: tf.Tensor4D,
  filter: tf.Tensor,
  bias: tf.Tensor,
  strides: number | [number, number],
  pad: "same" | "valid",
): tf.Tensor4D {
  const k = filter.shape[0] as number;
  const s: [number, number] = typeof strides === "number" ? [strides, strides] : strides;
  return tf
    .engine()
    .runKernel(
      PACKED_CONV,
      { x, filter, bias } as unknown as tf.NamedTensorMap,
      { k, strides: s, pad } as unknown as tf.NamedAttrMap,
    ) as tf.Tensor4D;
}
