import * as tf from "@tensorflow/tfjs-core";
import { cKernels } from "./c-kernels.ts";
import { heapOffset, type WasmBackend } from "./wasm-heap.ts";
import { setWasmKernel } from "./wasm-register.ts";

/**
 * `MaxPoolGrad` for the wasm backend. tfjs-backend-wasm 4.22's own kernel starts each window's
 * maximum at 0, so a window whose inputs are all negative sends its gradient to the window's first
 * position instead of its maximum (measured: x = [-0.67, -0.48, -0.25, -0.74] in one 2×2 window
 * gets gradient [1, 0, 0, 0] instead of [0, 0, 1, 0]): max pooling after anything but ReLU trains
 * on wrong gradients. This one scatters dy onto each window's first maximum (as the cpu backend
 * does), padding excluded: 2×2 windows at stride 2 that tile the input (the LeNet case) in C
 * (kernels/max-pool.c), others by a JS loop. NHWC; registered for "wasm" only.
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
  if (KH === 2 && KW === 2 && SH === 2 && SW === 2 && top === 0 && left === 0 && OH === H >> 1 && OW === W >> 1) {
    cKernels(backend).max_pool_2x2_grad(
      heapOffset(backend, input),
      heapOffset(backend, dy),
      heapOffset(backend, out),
      N,
      H,
      W,
      C,
      0,
    );
    return out;
  }
  // views after the allocation: growing the heap detaches earlier ones
  const x = backend.typedArrayFromHeap(input) as Float32Array;
  const g = backend.typedArrayFromHeap(dy) as Float32Array;
  const dx = backend.typedArrayFromHeap(out) as Float32Array;
  dx.fill(0);
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

/** The fused kernels' names (wasm backend only; see `installWasmPoolKernels`). */
export const RELU_MAX_POOL = "HpoReluMaxPool2x2";
const RELU_MAX_POOL_GRAD = "HpoReluMaxPool2x2Grad";

/** x [N, H, W, C] → relu(maxPool(x)) [N, ⌊H/2⌋, ⌊W/2⌋, C] over 2×2 windows at stride 2, in C. */
function reluMaxPool({ inputs, backend }: { inputs: { x: tf.TensorInfo }; backend: WasmBackend }): tf.TensorInfo {
  const { x } = inputs;
  if (x.dtype !== "float32") throw new Error(`${RELU_MAX_POOL}: float32 operands only, got ${x.dtype}`);
  const [N, H, W, C] = x.shape as [number, number, number, number];
  const out = backend.makeOutput([N, H >> 1, W >> 1, C], "float32");
  cKernels(backend).max_pool_2x2(heapOffset(backend, x), heapOffset(backend, out), N, H, W, C, 1);
  return out;
}

/** dx of `reluMaxPool`: dy onto each window's first maximum where that maximum is > 0, in C. */
function reluMaxPoolGrad({
  inputs,
  backend,
}: {
  inputs: { x: tf.TensorInfo; dy: tf.TensorInfo };
  backend: WasmBackend;
}): tf.TensorInfo {
  const { x, dy } = inputs;
  const [N, H, W, C] = x.shape as [number, number, number, number];
  const out = backend.makeOutput([N, H, W, C], "float32");
  cKernels(backend).max_pool_2x2_grad(
    heapOffset(backend, x),
    heapOffset(backend, dy),
    heapOffset(backend, out),
    N,
    H,
    W,
    C,
    1,
  );
  return out;
}

let installed = false;

/**
 * Replaces the wasm backend's `MaxPoolGrad` with `maxPoolGrad` above and registers
 * `HpoReluMaxPool2x2` with its gradient (`wasmReluMaxPool2x2`). Idempotent; false when wasm
 * kernels are not registered.
 */
export function installWasmPoolKernels(): boolean {
  if (installed) return true;
  if (!tf.getKernel("MaxPool", "wasm")) return false;
  installed = true;
  setWasmKernel("MaxPoolGrad", maxPoolGrad);
  setWasmKernel(RELU_MAX_POOL, reluMaxPool);
  setWasmKernel(RELU_MAX_POOL_GRAD, reluMaxPoolGrad);
  tf.registerGradient({
    kernelName: RELU_MAX_POOL,
    inputsToSave: ["x"],
    gradFunc: (dy, saved) => {
      const [x] = saved as [tf.Tensor];
      return { x: () => tf.engine().runKernel(RELU_MAX_POOL_GRAD, { x, dy: dy as tf.Tensor }, {}) as tf.Tensor };
    },
  });
  return true;
}

/**
 * `tf.relu` then `tf.maxPool(·, 2, 2, "valid")` of x [N, H, W, C] as one op on wasm (after
 * `installWasmPoolKernels`): relu(max(window)) = max(relu(window)), so the pool reads the conv's
 * output before its activation, and the gradient goes to each window's first maximum when it is
 * > 0 — what ReLU's gradient after `MaxPoolGrad` gives, to the bit, without the full-size ReLU,
 * its Step/Cast/Multiply gradient ops and their full-size temporaries. Differentiable.
 */
export function wasmReluMaxPool2x2(x: tf.Tensor4D): tf.Tensor4D {
  return tf.engine().runKernel(RELU_MAX_POOL, { x } as unknown as tf.NamedTensorMap, {}) as tf.Tensor4D;
}
