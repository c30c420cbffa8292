import * as tf from "@tensorflow/tfjs-core";
import { setWasmKernel } from "./wasm-register.ts";

interface IdentityArgs {
  inputs: { x: tf.TensorInfo };
  backend: { incRef(dataId: object): void };
}

let installed = false;

/**
 * Replaces the wasm backend's `Identity` with one that shares the input's data (a reference count,
 * as the cpu backend's does and as wasm's own `Reshape` does) instead of copying it. tfjs's engine
 * clones, through `Identity`, every tensor an op keeps for its gradient (a conv's input and
 * filter, a ReLU's input, a max pool's input and output…): on stock wasm each of those is a full
 * copy. Tensors are immutable (a variable's `assign` swaps its data, never writes into it), so
 * sharing is safe. Idempotent; false when the wasm kernels are not registered.
 */
export function installWasmIdentityKernel(): boolean {
  if (installed) return true;
  const stock = tf.getKernel("Identity", "wasm");
  if (!stock) return false;
  installed = true;
  setWasmKernel("Identity", (args: IdentityArgs) => {
    const { x } = args.inputs;
    if (x.dtype === "string") return stock.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]);
    args.backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  });
  return true;
}
