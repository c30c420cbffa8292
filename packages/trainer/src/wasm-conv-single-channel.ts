import type * as tf from "@tensorflow/tfjs-core";
import { cKernels } from "./c-kernels.ts";
import { heapOffset, type WasmBackend, withScratch } from "./wasm-heap.ts";

/**
 * Whether `singleChannelPackedConv` runs the conv `info` describes: single-channel input (a first
 * layer on grey images), stride 1.
 */
export const isSingleChannelConv = (info: tf.backend_util.Conv2DInfo): boolean =>
  info.inChannels === 1 && info.strideHeight === 1 && info.strideWidth === 1;

/**
 * `HpoPackedConv2D`'s forward for a single-channel stride-1 conv (`isSingleChannelConv`): K
 * models' x [K·rows, H, W, 1], filters [K, KH, KW, 1, F] and bias [K, F] → [K·rows, OH, OW, F], model
 * by model through hpo's C kernel (kernels/conv-single-channel.c: output channels as the SIMD
 * lanes, 4 columns × 8 channels of sums in registers over all taps), where XNNPACK runs this
 * shape at about half its rate on many channels. `info` is one model's conv.
 */
export function singleChannelPackedConv(
  backend: WasmBackend,
  x: tf.TensorInfo,
  filter: tf.TensorInfo,
  bias: tf.TensorInfo,
  k: number,
  info: tf.backend_util.Conv2DInfo,
): tf.TensorInfo {
  const { batchSize: n, inHeight: h, inWidth: w, outHeight: oh, outWidth: ow } = info;
  const { filterHeight: kh, filterWidth: kw, outChannels: co } = info;
  const out = backend.makeOutput([k * n, oh, ow, co], "float32");
  withScratch(backend, [(oh + kh - 1) * (ow + kw - 1)], (xp) => {
    const kernels = cKernels(backend);
    for (let m = 0; m < k; m++)
      kernels.conv_single_channel(
        heapOffset(backend, x) + 4 * m * n * h * w,
        heapOffset(backend, filter) + 4 * m * kh * kw * co,
        heapOffset(backend, bias) + 4 * m * co,
        heapOffset(backend, out) + 4 * m * n * oh * ow * co,
        heapOffset(backend, xp),
        n,
        h,
        w,
        oh,
        ow,
        kh,
        kw,
        co,
        info.padInfo.top,
        info.padInfo.left,
      );
  });
  return out;
}
