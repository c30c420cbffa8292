import { installWasmPackedMatMul } from "./wasm-packed-matmul.ts";
import { installWasmSliceKernels } from "./wasm-slice-kernels.ts";

/**
 * Installs the trainer's wasm kernels: in-place Slice/SplitV (wasm-slice-kernels.ts) and the
 * copy-free per-model product `HpoPackedMatMul` (wasm-packed-matmul.ts). Idempotent; call once
 * the wasm backend is active. Returns false when the wasm backend's kernels are not registered.
 */
export function installWasmKernels(): boolean {
  return installWasmSliceKernels() && installWasmPackedMatMul();
}
