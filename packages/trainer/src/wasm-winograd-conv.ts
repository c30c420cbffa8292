import type * as tf from "@tensorflow/tfjs-core";
import { cKernels } from "./c-kernels.ts";
import { heapOffset, type WasmBackend, withScratch } from "./wasm-heap.ts";
import { type WinogradTransforms, winogradTransforms } from "./winograd-transforms.ts";

/**
 * Stride-1 3×3 and 5×5 convolutions on the wasm backend by Winograd minimal filtering
 * (kernels/winograd-conv.c), for the forward pass and, as the convolution of dy with the flipped,
 * channel-swapped filter, for the input gradient: about a fifth of the multiplies of a direct
 * convolution (XNNPACK's), at a float32 error some 20 times a direct sum's, a few millionths of
 * the outputs' scale (see `WINOGRAD_TILES`).
 */

/**
 * Outputs per tile side m of F(m×m, r×r) by filter size r. F(4×4, 5×5) (8×8 tiles, points 0, ±1,
 * ±2, ±½) does 64 multiplies per 16 outputs instead of 400; F(4×4, 3×3) (6×6 tiles, points 0,
 * ±1, ±2) 36 instead of 144. Their float32 errors measured 3–9e-6 of the outputs' largest value
 * on LeNet's layers (against 2e-7 for a direct sum): far below what minibatch noise does to a
 * gradient. F(6×6, 3×3) would need ±½ too, for a fifth fewer multiplies and a larger error.
 */
export const WINOGRAD_TILES: Readonly<Record<number, number>> = { 3: 4, 5: 4 };

/** Tiles transformed at a time: their transforms (α²·block·(C + CO) floats) stay in cache. */
const BLOCK = 32;

/**
 * One convolution the kernel runs: input [n, h, w, c] → output [n, oh, ow, co] with an r×r
 * filter whose top-left tap is over input (oy − top, ox − left) for output (oy, ox) (input outside
 * the image reads as 0). The filter is tfjs's [r, r, c, co], or for `flipped` the [r, r, co, c]
 * filter of the convolution whose input gradient this is, read rotated by 180° with its channel
 * axes swapped.
 */
export interface WinogradConv {
  readonly n: number;
  readonly h: number;
  readonly w: number;
  readonly c: number;
  readonly oh: number;
  readonly ow: number;
  readonly co: number;
  readonly r: number;
  readonly top: number;
  readonly left: number;
  readonly flipped: boolean;
}

/** Byte offsets into the heap of one convolution's operands (`bias` [co] is optional). */
export interface WinogradOperands {
  readonly x: number;
  readonly filter: number;
  readonly out: number;
  readonly bias?: number;
}

/**
 * Fewest input channels (of the convolution run: C forward, CO for the input gradient) for which
 * Winograd beats XNNPACK. Its transforms work on four channels at a time, so a first layer on grey
 * images (C = 1) pays for four and runs 0.7× XNNPACK's speed; from C = 4 it is about 2× faster
 * (tools/bench-winograd.ts).
 */
const MIN_CHANNELS = 4;

/**
 * The Winograd convolution computing `info`'s forward pass (`of` "output") or its input gradient
 * (`of` "input": dy [n, oh, ow, co] → dx [n, h, w, c]), or undefined where the kernel does not
 * apply: strides or dilations other than 1, non-square filters or sizes other than
 * `WINOGRAD_TILES`'s, fewer than `MIN_CHANNELS` input channels, empty tensors.
 */
export function winogradConvOf(info: tf.backend_util.Conv2DInfo, of: "output" | "input"): WinogradConv | undefined {
  const r = info.filterHeight;
  if (
    info.strideHeight !== 1 ||
    info.strideWidth !== 1 ||
    info.dilationHeight !== 1 ||
    info.dilationWidth !== 1 ||
    info.filterWidth !== r ||
    WINOGRAD_TILES[r] === undefined ||
    (of === "output" ? info.inChannels : info.outChannels) < MIN_CHANNELS ||
    info.batchSize * info.inHeight * info.inWidth * info.inChannels * info.outChannels === 0 ||
    info.outHeight * info.outWidth === 0
  )
    return undefined;
  const { batchSize: n, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  if (of === "output")
    return {
      n,
      h: inHeight,
      w: inWidth,
      c: inChannels,
      oh: outHeight,
      ow: outWidth,
      co: outChannels,
      r,
      top: info.padInfo.top,
      left: info.padInfo.left,
      flipped: false,
    };
  return {
    n,
    h: outHeight,
    w: outWidth,
    c: outChannels,
    oh: inHeight,
    ow: inWidth,
    co: inChannels,
    r,
    top: r - 1 - info.padInfo.top,
    left: r - 1 - info.padInfo.left,
    flipped: true,
  };
}

const transforms = new Map<number, { t: WinogradTransforms; packed: Float32Array }>();

/** F(m, r)'s Bᵀ, Aᵀ and G as float32, one after the other (cached). */
function packedTransforms(r: number) {
  const m = WINOGRAD_TILES[r] as number;
  let known = transforms.get(r);
  if (!known) {
    const t = winogradTransforms(m, r);
    const packed = new Float32Array(t.bt.length + t.at.length + t.g.length);
    packed.set(t.bt, 0);
    packed.set(t.at, t.bt.length);
    packed.set(t.g, t.bt.length + t.at.length);
    known = { t, packed };
    transforms.set(r, known);
  }
  return known;
}

const round4 = (v: number) => Math.ceil(v / 4) * 4;

/**
 * Runs `conv` once per entry of `runs` (each its own input, filter, output and optional bias,
 * e.g. the models of a pack), with one scratch tensor from tfjs for all of them.
 */
export function winogradConvs(backend: WasmBackend, conv: WinogradConv, runs: readonly WinogradOperands[]): void {
  const { t, packed } = packedTransforms(conv.r);
  const { alpha, m, r } = t;
  const { c, co } = conv;
  const k = cKernels(backend);
  const uFloats = alpha * alpha * round4(c) * round4(co);
  const scratchFloats = k.winograd_scratch(conv.n, c, co, conv.oh, conv.ow, alpha, m, BLOCK);
  withScratch(backend, [packed.length + uFloats + scratchFloats], (scratch) => {
    (backend.typedArrayFromHeap(scratch) as Float32Array).set(packed);
    const base = heapOffset(backend, scratch);
    const bt = base;
    const at = bt + 4 * t.bt.length;
    const g = at + 4 * t.at.length;
    const u = base + 4 * packed.length;
    const work = u + 4 * uFloats;
    // strides of the filter's (tap row, tap column, input channel, output channel), in floats
    const [si, sj, sc, so] = conv.flipped ? [-r * c * co, -c * co, 1, c] : [r * c * co, c * co, co, 1];
    const first = conv.flipped ? 4 * ((r * r - 1) * c * co) : 0;
    for (const run of runs) {
      k.winograd_filter(run.filter + first, r, si, sj, sc, so, c, co, g, alpha, u);
      const { n, h, w, oh, ow, top, left } = conv;
      k.winograd_conv(
        run.x,
        n,
        h,
        w,
        c,
        oh,
        ow,
        top,
        left,
        u,
        co,
        run.bias ?? 0,
        run.out,
        bt,
        at,
        alpha,
        m,
        BLOCK,
        work,
      );
    }
  });
}
