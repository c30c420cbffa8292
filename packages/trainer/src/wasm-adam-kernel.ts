import * as tf from "@tensorflow/tfjs-core";
import { cKernels } from "./c-kernels.ts";
import { heapOffset, type WasmBackend } from "./wasm-heap.ts";
import { setWasmKernel } from "./wasm-register.ts";

/** The kernel's name (wasm backend only; see `installWasmAdam`). */
export const WASM_ADAM = "HpoAdam";

/** Adam's constants; `c1[k]`, `c2[k]` are model k's bias corrections 1 − β1^t and 1 − β2^t. */
export interface AdamAttrs {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly lr: number;
  readonly c1: readonly number[];
  readonly c2: readonly number[];
}

interface AdamArgs {
  inputs: { x: tf.TensorInfo; g: tf.TensorInfo; m: tf.TensorInfo; v: tf.TensorInfo };
  attrs: AdamAttrs;
  backend: WasmBackend;
}

/** [x', m', v'] of one Adam step over x, g, m, v [K, …], model k with its own corrections (C, kernels/adam.c). */
function adamKernel({ inputs, attrs, backend }: AdamArgs): tf.TensorInfo[] {
  const { x, g, m, v } = inputs;
  for (const t of [x, g, m, v])
    if (t.dtype !== "float32") throw new Error(`${WASM_ADAM}: float32 operands only, got ${t.dtype}`);
  const K = attrs.c1.length;
  const size = x.shape.reduce((a, b) => a * b, 1);
  if (x.shape[0] !== K || [g, m, v].some((t) => t.shape.reduce((a, b) => a * b, 1) !== size))
    throw new Error(`${WASM_ADAM}: x [${x.shape}], g, m, v do not hold ${K} models alike`);
  const outs = [x, m, v].map(() => backend.makeOutput([...x.shape], "float32"));
  const per = size / K;
  const f32 = Math.fround;
  const { beta1, beta2, epsilon, lr } = attrs;
  const kernels = cKernels(backend);
  // offsets after the allocations (allocating may move views of the heap, never tensors)
  const [xo, go, mo, vo] = [x, g, m, v].map((t) => heapOffset(backend, t)) as [number, number, number, number];
  const [x2, m2, v2] = outs.map((t) => heapOffset(backend, t)) as [number, number, number];
  for (let k = 0; k < K; k++) {
    const at = 4 * k * per;
    kernels.adam(
      xo + at,
      go + at,
      mo + at,
      vo + at,
      x2 + at,
      m2 + at,
      v2 + at,
      per,
      beta1,
      f32(1 - beta1),
      beta2,
      f32(1 - beta2),
      attrs.c1[k] as number,
      attrs.c2[k] as number,
      lr,
      epsilon,
    );
  }
  return outs;
}

let installed = false;

/** Registers `HpoAdam` on the wasm backend. Idempotent; false when the wasm backend is not registered. */
export function installWasmAdam(): boolean {
  if (installed) return true;
  if (!tf.getKernel("Multiply", "wasm")) return false;
  installed = true;
  setWasmKernel(WASM_ADAM, adamKernel);
  return true;
}

/**
 * One Adam step of a pack of K models on wasm (after `installWasmAdam`): x, g, m, v [K, …] →
 * [x', m', v'], the arithmetic of optimizers/adam.ts in one C pass per model instead of about ten
 * tensor ops (same results to the bit). No gradient.
 */
export function wasmAdam(x: tf.Tensor, g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, attrs: AdamAttrs): tf.Tensor[] {
  return tf
    .engine()
    .runKernel(
      WASM_ADAM,
      { x, g, m, v } as unknown as tf.NamedTensorMap,
      attrs as unknown as tf.NamedAttrMap,
    ) as tf.Tensor[];
}
