import * as tf from "@tensorflow/tfjs-core";

/**
 * Registers `kernelFunc` as the wasm backend's `kernelName`, replacing tfjs's own kernel of that
 * name when it has one (tfjs refuses to register a name twice). The one way hpo's wasm kernels are
 * installed; they are never registered for another backend.
 */
export function setWasmKernel(kernelName: string, kernelFunc: unknown): void {
  if (tf.getKernel(kernelName, "wasm")) tf.unregisterKernel(kernelName, "wasm");
  tf.registerKernel({ kernelName, backendName: "wasm", kernelFunc: kernelFunc as tf.KernelFunc });
}
