/*
 * Bias gradients of hpo's packed convolutions (HpoPackedConv2DBiasGrad): db[m][f] is the sum of
 * dy over model m's rows and positions, dy [K, rows, F] flattened. Summed in float64 in row order
 * and rounded once, as the JavaScript loop it replaces did, so the result is the same bit for bit.
 */
#include "hpo-kernels.h"

/* db [k, f] = Σ over r of dy [k, r, f]: two channels per float64x2 accumulator, an odd last one alone. */
EXPORT("bias_grad")
void bias_grad(const float *dy, float *db, int k, int rows, int f) {
  for (int m = 0; m < k; m++) {
    int c = 0;
    for (; c + 2 <= f; c += 2) {
      v128_t acc = wasm_f64x2_splat(0);
      const float *p = dy + (long)m * rows * f + c;
      for (int r = 0; r < rows; r++, p += f)
        acc = wasm_f64x2_add(acc, wasm_f64x2_promote_low_f32x4(wasm_v128_load64_zero(p)));
      float *out = db + m * f + c;
      out[0] = (float)wasm_f64x2_extract_lane(acc, 0);
      out[1] = (float)wasm_f64x2_extract_lane(acc, 1);
    }
    if (c < f) {
      double acc = 0;
      const float *p = dy + (long)m * rows * f + c;
      for (int r = 0; r < rows; r++, p += f) acc += *p;
      db[m * f + c] = (float)acc;
    }
  }
}
