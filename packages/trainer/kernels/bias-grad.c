/*
 * Bias gradients of hpo's packed convolutions (HpoPackedConv2DBiasGrad): db[m][f] is the sum of
 * dy over model m's rows and positions, dy [K, rows, F] flattened. Summed in float64 in row order
 * and rounded once, as the JavaScript loop it replaces did, so the result is the same bit for bit.
 */
#include "hpo-kernels.h"

/* 16 channels from c: 8 float64x2 sums kept in registers over all rows, one pass over dy's rows. */
static inline void sum16(const float *dy, float *out, int rows, int f) {
  const v128_t z = wasm_f64x2_splat(0);
  v128_t a0 = z, a1 = z, a2 = z, a3 = z, a4 = z, a5 = z, a6 = z, a7 = z;
#define ADD2(acc, q) acc = wasm_f64x2_add(acc, wasm_f64x2_promote_low_f32x4(wasm_v128_load64_zero(q)))
  for (int r = 0; r < rows; r++, dy += f) {
    ADD2(a0, dy);
    ADD2(a1, dy + 2);
    ADD2(a2, dy + 4);
    ADD2(a3, dy + 6);
    ADD2(a4, dy + 8);
    ADD2(a5, dy + 10);
    ADD2(a6, dy + 12);
    ADD2(a7, dy + 14);
  }
#undef ADD2
  const v128_t acc[8] = {a0, a1, a2, a3, a4, a5, a6, a7};
  for (int i = 0; i < 8; i++) {
    out[2 * i] = (float)wasm_f64x2_extract_lane(acc[i], 0);
    out[2 * i + 1] = (float)wasm_f64x2_extract_lane(acc[i], 1);
  }
}

/*
 * db [k, f] = Σ over r of dy [k, r, f]: blocks of 16 channels in one pass over the rows each (a
 * pass per channel pair read every cache line of dy once per pair), then two channels per float64x2
 * sum, an odd last one alone.
 */
EXPORT("bias_grad")
void bias_grad(const float *dy, float *db, int k, int rows, int f) {
  for (int m = 0; m < k; m++) {
    int c = 0;
    for (; c + 16 <= f; c += 16) sum16(dy + (long)m * rows * f + c, db + m * f + c, rows, f);
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
