/**
 * Checks shared by the wasm kernel tests that compare hpo's kernels with the cpu backend's
 * (wasm-cnn-kernels, wasm-packed-conv, wasm-winograd-conv). Imported by those tests directly, not
 * through the testing index (benches import that, and this needs vitest).
 */
import type { createRng } from "@hpo/core";
import { expect } from "vitest";

/** n values uniform in [−1, 1) from `rng`. */
export const randomValues = (rng: ReturnType<typeof createRng>, n: number): Float32Array =>
  Float32Array.from({ length: n }, () => rng.next() * 2 - 1);

/**
 * Expects `got` to equal `want` within 1e-4 of the output's scale: the largest error over
 * (1 + the largest |want|). Winograd's rounding scales with its tiles' sums, not each output.
 */
export function expectCloseToScale(got: Float32Array, want: Float32Array, what: string): void {
  expect(got.length, what).toBe(want.length);
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < got.length; i++) {
    worst = Math.max(worst, Math.abs((got[i] as number) - (want[i] as number)));
    scale = Math.max(scale, Math.abs(want[i] as number));
  }
  expect(worst / (1 + scale), what).toBeLessThan(1e-4);
}
