import * as tf from "@tensorflow/tfjs-core";
import type { WasmBackend } from "./wasm-heap.ts";
import { setWasmKernel } from "./wasm-register.ts";

/**
 * `MaxPoolGrad` for the wasm backend. tfjs-backend-wasm 4.22's own kernel starts each window's
 * maximum at 0, so a window whose inputs are all negative sends its gradient to the window's first
 * position instead of its maximum (measured: x = [-0.67, -0.48, -0.25, -0.74] in one 2×2 window
 * gets gradient [1, 0, 0, 0] instead of [0, 0, 1, 0]): max pooling after anything but ReLU trains
 * on wrong gradients. This one scatters dy onto each window's first maximum (as the cpu backend
 * does), padding excluded. NHWC; registered for "wasm" only.
 */
interface MaxPoolGradArgs {
  inputs: { dy: tf.TensorInfo; input: tf.TensorInfo; output: tf.TensorInfo };
  attrs: {
    filterSize: number | [number, number];
    strides: number | [number, number];
    pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
    dimRoundingMode?: "floor" | "round" | "ceil";
  };
  backend: WasmBackend;
}

function maxPoolGrad({ inputs, attrs, backend }: MaxPoolGradArgs): tf.TensorInfo {
  const { dy, input } = inputs;
  for (const t of [dy, input])
    if (t.dtype !== "float32") throw new Error(`MaxPoolGrad (hpo wasm kernel): float32 operands only, got ${t.dtype}`);
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { filterHeight: KH, filterWidth: KW, strideHeight: SH, strideWidth: SW } = info;
  const { top, left } = info.padInfo;
  const out = backend.makeOutput([...input.shape], "float32");
  // views after the allocation: growing the heap detaches earlier ones
  const x = backend.typedArrayFromHeap(input) as Float32Array;
  const g = backend.typedArrayFromHeap(dy) as Float32Array;
  const dx = backend.typedArrayFromHeap(out) as Float32Array;
  dx.fill(0);
  const inside = 2 * OH <= H && 2 * OW <= W;
  if (KH === 2 && KW === 2 && SH === 2 && SW === 2 && top === 0 && left === 0 && inside) {
    grad2x2(x, g, dx, N, H, W, C, OH, OW);
    return out;
  }
  // channels innermost, as the data lies: each window's taps are read as C contiguous values
  const best = new Float32Array(C);
  const at = new Int32Array(C);
  for (let b = 0; b < N; b++) {
    for (let oh = 0; oh < OH; oh++) {
      const h0 = oh * SH - top;
      const hFrom = Math.max(0, h0);
      const hTo = Math.min(H, h0 + KH);
      for (let ow = 0; ow < OW; ow++) {
        const w0 = ow * SW - left;
        const wFrom = Math.max(0, w0);
        const wTo = Math.min(W, w0 + KW);
        at.fill(-1);
        for (let h = hFrom; h < hTo; h++) {
          for (let w = wFrom; w < wTo; w++) {
            const base = ((b * H + h) * W + w) * C;
            for (let c = 0; c < C; c++) {
              const v = x[base + c] as number;
              if (v > (best[c] as number) || (at[c] as number) < 0) {
                best[c] = v;
                at[c] = base + c;
              }
            }
          }
        }
        const o = ((b * OH + oh) * OW + ow) * C;
        for (let c = 0; c < C; c++) {
          const i = at[c] as number;
          if (i >= 0) dx[i] = (dx[i] as number) + (g[o + c] as number);
        }
      }
    }
  }
  return out;
}

/**
 * The common 2×2, stride-2 window with every window inside the input: the four taps unrolled, each window's
 * first maximum found by three comparisons in tap order (as the general loop does); windows do not
 * overlap, so each input gets at most one dy.
 */
function grad2x2(
  x: Float32Array,
  g: Float32Array,
  dx: Float32Array,
  N: number,
  H: number,
  W: number,
  C: number,
  OH: number,
  OW: number,
): void {
  const down = W * C;
  for (let b = 0; b < N; b++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        const p0 = ((b * H + 2 * oh) * W + 2 * ow) * C;
        const o = ((b * OH + oh) * OW + ow) * C;
        for (let c = 0; c < C; c++) {
          let i = p0 + c;
          let m = x[i] as number;
          const i1 = i + C;
          const i2 = i + down;
          const i3 = i2 + C;
          if ((x[i1] as number) > m) {
            m = x[i1] as number;
            i = i1;
          }
          if ((x[i2] as number) > m) {
            m = x[i2] as number;
            i = i2;
          }
          if ((x[i3] as number) > m) i = i3;
          dx[i] = g[o + c] as number;
        }
      }
    }
  }
}

let installed = false;

/** Replaces the wasm backend's `MaxPoolGrad` with `maxPoolGrad` above. Idempotent; false when wasm kernels are not registered. */
export function installWasmPoolKernels(): boolean {
  if (installed) return true;
  if (!tf.getKernel("MaxPool", "wasm")) return false;
  installed = true;
  setWasmKernel("MaxPoolGrad", maxPoolGrad);
  return true;
}
