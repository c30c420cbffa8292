import { installWasmAdam } from "./wasm-adam-kernel.ts";
import { installWasmConvKernels } from "./wasm-conv-kernels.ts";
import { installWasmIdentityKernel } from "./wasm-identity-kernel.ts";
import { installWasmPackedConv } from "./wasm-packed-conv.ts";
import { installWasmPackedMatMul } from "./wasm-packed-matmul.ts";
import { installWasmPoolKernels } from "./wasm-pool-kernels.ts";
import { installWasmSliceKernels } from "./wasm-slice-kernels.ts";

/**
 * Installs the trainer's wasm kernels: in-place Slice/SplitV (wasm-slice-kernels.ts), an Identity
 * that shares instead of copying (wasm-identity-kernel.ts), the copy-free per-model product
 * `HpoPackedMatMul` (wasm-packed-matmul.ts), the convolution gradients (wasm-conv-kernels.ts), the
 * per-model conv layer `HpoPackedConv2D` (wasm-packed-conv.ts), a correct MaxPoolGrad and a fused
 * ReLU + 2×2 max pool (wasm-pool-kernels.ts), and Adam's update as one op `HpoAdam`
 * (wasm-adam-kernel.ts). Registered for "wasm" only. Idempotent; call
 * once the wasm backend is active. Returns false when the wasm backend's kernels are not registered.
 */
export function installWasmKernels(): boolean {
  return (
    installWasmSliceKernels() &&
    installWasmIdentityKernel() &&
    installWasmPackedMatMul() &&
    installWasmConvKernels() &&
    installWasmPackedConv() &&
    installWasmPoolKernels() &&
    installWasmAdam()
  );
}
