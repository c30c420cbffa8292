import * as tf from "@tensorflow/tfjs-core";
import { cKernels } from "./c-kernels.ts";
import {
  type HeapConvShape,
  heapConv2D,
  heapConvOutSize,
  heapMatMul,
  heapOffset,
  heapTranspose,
  type WasmBackend,
  withScratch,
} from "./wasm-heap.ts";
import { setWasmKernel } from "./wasm-register.ts";
import { winogradConvOf, winogradConvs } from "./wasm-winograd-conv.ts";
import { winogradTransforms } from "./winograd-transforms.ts";

/**
 * Convolution gradients for the wasm backend. tfjs-backend-wasm 4.22 has no `Conv2DBackpropFilter`
 * at all (tensorflow/tfjs#8474: a conv layer cannot be trained on wasm), and its
 * `Conv2DBackpropInput` is a scalar C++ loop. dW of a stride-1 conv is hpo's C kernel
 * (kernels/conv-filter-grad.c); dx, and dW of other strides, are one XNNPACK forward convolution
 * (`heapConv2D`, the kernel tfjs's own `Conv2D` runs) where the geometry allows, else im2col /
 * col2im in JS around one XNNPACK matrix product (`heapMatMul`). NHWC, dilation 1 (what tfjs's
 * conv2d gradient asks for), any strides, `same` / `valid` / explicit padding. Registered for
 * "wasm" only: the cpu and tensorflow backends keep their own kernels.
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

type Info = tf.backend_util.Conv2DInfo;
type TI = tf.TensorInfo;

/** A conv's sizes under short names: batch, input, output, filter, strides, top-left padding. */
const dims = (i: Info) => ({
  N: i.batchSize,
  H: i.inHeight,
  W: i.inWidth,
  C: i.inChannels,
  OH: i.outHeight,
  OW: i.outWidth,
  KH: i.filterHeight,
  KW: i.filterWidth,
  CO: i.outChannels,
  SH: i.strideHeight,
  SW: i.strideWidth,
  top: i.padInfo.top,
  left: i.padInfo.left,
});

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

const f32 = (backend: WasmBackend, t: tf.TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;

/**
 * Winograd F(5, 2)'s matrices for `conv_filter_grad_f5x5`: G, Aᵀ as one float32 array, at the
 * points 0, ±1, 2, −½ (the default 0, ±1, ±2 err 2.4× more here); the kernel has Bᵀ written out.
 */
const f5x5 = (() => {
  const { g, at } = winogradTransforms(5, 2, [0, 1, -1, 2, -0.5]);
  return Float32Array.from([...g, ...at]);
})();

/** Most floats of scratch the Winograd dW kernel may take (it holds one image's transformed tiles). */
const WINOGRAD_DW_SCRATCH = 1 << 23;

/**
 * dW of a stride-1 convolution (any padding) by hpo's C kernels (kernels/conv-filter-grad.c): 5 × 5
 * filters on channel counts divisible by 4 by Winograd's F(5 × 5, 2 × 2) (36 multiply-adds per
 * 2 × 2 tile of dy and channel pair where the direct sum has 100), others directly (per image,
 * filter row, input channel, pair of taps and block of output channels, sums in SIMD registers over
 * all output positions; also where Winograd would need more than `WINOGRAD_DW_SCRATCH`, images of
 * about 170 × 170 at 16 + 16 channels). From x and dy as they lie. False (nothing written) for
 * strides > 1.
 */
function filterGradC(backend: WasmBackend, x: TI, dy: TI, out: TI, info: Info): boolean {
  const { N, H, W, C, OH, OW, KH, KW, CO, SH, SW, top, left } = dims(info);
  if (SH !== 1 || SW !== 1) return false;
  const kernels = cKernels(backend);
  const tiles = Math.ceil(OH / 2) * Math.ceil(OW / 2);
  const scratch = 36 * tiles * (C + CO) + 36 * C * CO + 72 * C + 16 * CO;
  if (KH === 5 && KW === 5 && C % 4 === 0 && CO % 4 === 0 && scratch <= WINOGRAD_DW_SCRATCH) {
    withScratch(backend, [f5x5.length], (mats) => {
      f32(backend, mats).set(f5x5);
      withScratch(backend, [scratch], (s) =>
        kernels.conv_filter_grad_f5x5(
          heapOffset(backend, x),
          heapOffset(backend, dy),
          heapOffset(backend, out),
          heapOffset(backend, s),
          heapOffset(backend, mats),
          N,
          H,
          W,
          C,
          OH,
          OW,
          CO,
          top,
          left,
        ),
      );
    });
    return true;
  }
  withScratch(backend, [H * (OW + KW - 1) * C], (xp) =>
    kernels.conv_filter_grad(
      heapOffset(backend, x),
      heapOffset(backend, dy),
      heapOffset(backend, out),
      heapOffset(backend, xp),
      N,
      H,
      W,
      C,
      OH,
      OW,
      KH,
      KW,
      CO,
      top,
      left,
    ),
  );
  return true;
}

/**
 * dW as one forward convolution with the roles of batch and channels swapped: x as [C, H, W, N]
 * images of N channels, convolved with dy as an [OH, OW, N, CO] filter dilated by the stride,
 * gives [C, KH, KW, CO] (then transposed to [KH, KW, C, CO]). False (nothing written) when the
 * conv's own padding would leave input rows or columns unread past the end (the right padding
 * would be negative): the im2col kernel handles those.
 */
function filterGradByConv(backend: WasmBackend, x: TI, dy: TI, out: TI, info: Info): boolean {
  const { N, H, W, C, OH, OW, KH, KW, CO, SH, SW, top, left } = dims(info);
  const bottom = KH - H - top + SH * (OH - 1);
  const right = KW - W - left + SW * (OW - 1);
  if (bottom < 0 || right < 0 || top < 0 || left < 0) return false;
  const conv: HeapConvShape = {
    n: C,
    h: H,
    w: W,
    ci: N,
    kh: OH,
    kw: OW,
    co: CO,
    pad: { top, right, bottom, left },
    stride: [1, 1],
    dilation: [SH, SW],
  };
  const [kh, kw] = heapConvOutSize(conv);
  if (kh !== KH || kw !== KW) return false;
  withScratch(backend, [C, H, W, N], (xT) =>
    withScratch(backend, [OH, OW, N, CO], (dyT) => {
      heapTranspose(backend, heapOffset(backend, x), [N, H * W, C], [2, 1, 0], heapOffset(backend, xT));
      heapTranspose(backend, heapOffset(backend, dy), [N, OH * OW, CO], [1, 0, 2], heapOffset(backend, dyT));
      if (C === 1) {
        heapConv2D(backend, heapOffset(backend, xT), heapOffset(backend, dyT), heapOffset(backend, out), conv);
        return;
      }
      withScratch(backend, [C, KH, KW, CO], (outT) => {
        heapConv2D(backend, heapOffset(backend, xT), heapOffset(backend, dyT), heapOffset(backend, outT), conv);
        heapTranspose(backend, heapOffset(backend, outT), [C, KH * KW, CO], [1, 0, 2], heapOffset(backend, out));
      });
    }),
  );
  return true;
}

/**
 * dW [KH, KW, C, CO] = colᵀ · dy: colᵀ [KH·KW·C, N·OH·OW] holds, for each filter tap and input
 * channel, the input value that tap saw at each output position (0 in the padding).
 */
function filterGradIm2col(backend: WasmBackend, x: TI, dy: TI, out: TI, info: Info): void {
  const { N, H, W, C, OH, OW, KH, KW, CO, SH, SW, top, left } = dims(info);
  const M = N * OH * OW;
  const R = KH * KW * C;
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
}

/**
 * Writes dW [KH, KW, C, CO] of the convolution `info` describes into `out`, from its input x and
 * output gradient dy (NHWC float32 on the wasm heap; views from `heapView` will do).
 */
export function convFilterGradInto(backend: WasmBackend, x: TI, dy: TI, out: TI, info: Info): void {
  if (info.batchSize * info.outHeight * info.outWidth === 0 || info.inChannels * info.outChannels === 0)
    f32(backend, out).fill(0);
  else if (!filterGradC(backend, x, dy, out, info) && !filterGradByConv(backend, x, dy, out, info))
    filterGradIm2col(backend, x, dy, out, info);
}

function conv2DBackpropFilter({ inputs, attrs, backend }: FilterArgs): tf.TensorInfo {
  const { x, dy } = inputs;
  const info = convInfo("Conv2DBackpropFilter", x.shape, attrs.filterShape, attrs, [x, dy]);
  const out = backend.makeOutput([...attrs.filterShape], "float32");
  try {
    convFilterGradInto(backend, x, dy, out, info);
  } catch (e) {
    backend.disposeData(out.dataId, true);
    throw e;
  }
  return out;
}

/**
 * dx of a stride-1 convolution as one forward convolution: dy convolved with the filter flipped
 * in both spatial dimensions and its channel axes swapped ([KH, KW, CO, C]), padded by K − 1 − p
 * on each side. False (nothing written) for strides > 1 or a padding larger than K − 1.
 */
function inputGradByConv(backend: WasmBackend, dy: TI, filter: TI, out: TI, info: Info): boolean {
  const { N, H, W, C, OH, OW, KH, KW, CO, SH, SW } = dims(info);
  if (SH !== 1 || SW !== 1) return false;
  const p = info.padInfo;
  const pad = { top: KH - 1 - p.top, right: KW - 1 - p.right, bottom: KH - 1 - p.bottom, left: KW - 1 - p.left };
  if (Math.min(pad.top, pad.right, pad.bottom, pad.left) < 0) return false;
  const conv: HeapConvShape = {
    n: N,
    h: OH,
    w: OW,
    ci: CO,
    kh: KH,
    kw: KW,
    co: C,
    pad,
    stride: [1, 1],
    dilation: [1, 1],
  };
  const [h, w] = heapConvOutSize(conv);
  if (h !== H || w !== W) return false;
  withScratch(backend, [KH, KW, CO, C], (flipped) => {
    const f = f32(backend, filter);
    const g = f32(backend, flipped);
    for (let kh = 0; kh < KH; kh++)
      for (let kw = 0; kw < KW; kw++) {
        const src = ((KH - 1 - kh) * KW + (KW - 1 - kw)) * C * CO;
        const dst = (kh * KW + kw) * CO * C;
        for (let c = 0; c < C; c++)
          for (let co = 0; co < CO; co++) g[dst + co * C + c] = f[src + c * CO + co] as number;
      }
    heapConv2D(backend, heapOffset(backend, dy), heapOffset(backend, flipped), heapOffset(backend, out), conv);
  });
  return true;
}

/** dx = col2im(dy · Wᵀ): each output position's [KH·KW·C] row of dy·Wᵀ is added back onto the taps it read. */
function inputGradCol2im(backend: WasmBackend, dy: TI, filter: TI, out: TI, info: Info): void {
  const { N, H, W, C, OH, OW, KH, KW, CO, SH, SW, top, left } = dims(info);
  const M = N * OH * OW;
  const R = KH * KW * C;
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
}

/**
 * Writes dx [N, H, W, C] of the convolution `info` describes into `out`, from its output gradient
 * dy and filter (NHWC float32 on the wasm heap; views from `heapView` will do): by Winograd
 * (wasm-winograd-conv.ts) for stride-1 3×3 and 5×5 filters, else as above.
 */
export function convInputGradInto(backend: WasmBackend, dy: TI, filter: TI, out: TI, info: Info): void {
  const winograd = winogradConvOf(info, "input");
  if (winograd) {
    const operands = { x: heapOffset(backend, dy), filter: heapOffset(backend, filter), out: heapOffset(backend, out) };
    winogradConvs(backend, winograd, [operands]);
    return;
  }
  const empty = info.batchSize * info.outHeight * info.outWidth === 0 || info.inChannels * info.outChannels === 0;
  if (empty || !inputGradByConv(backend, dy, filter, out, info)) inputGradCol2im(backend, dy, filter, out, info);
}

function conv2DBackpropInput({ inputs, attrs, backend }: InputArgs): tf.TensorInfo {
  const { dy, filter } = inputs;
  const info = convInfo("Conv2DBackpropInput", attrs.inputShape, filter.shape, attrs, [dy, filter]);
  const out = backend.makeOutput([...attrs.inputShape], "float32");
  try {
    convInputGradInto(backend, dy, filter, out, info);
  } catch (e) {
    backend.disposeData(out.dataId, true);
    throw e;
  }
  return out;
}

let installed = false;

/**
 * Registers `Conv2DBackpropFilter` and replaces `Conv2DBackpropInput` on the wasm backend with the
 * kernels above. Idempotent; returns false (and does nothing) when the wasm
 * backend's BatchMatMul kernel is not registered.
 */
export function installWasmConvKernels(): boolean {
  if (installed) return true;
  if (!tf.getKernel("BatchMatMul", "wasm")) return false;
  installed = true;
  setWasmKernel("Conv2DBackpropFilter", conv2DBackpropFilter);
  setWasmKernel("Conv2DBackpropInput", conv2DBackpropInput);
  return true;
}
