/*
 * Adam's update of one packed model's parameters (HpoAdam): the operations of
 * src/optimizers/adam.ts in the same order, each rounded to float32 as tfjs's elementwise kernels
 * round it, so the result is the same bit for bit, in one pass instead of about ten tensor ops.
 */
#include "hpo-kernels.h"

/*
 * For i < n: m' = m·β1 + g·(1 − β1); v' = v·β2 + g²·(1 − β2); x' = x − (m'/c1 · lr)/(√(v'/c2) + ε),
 * with c1 = 1 − β1^t and c2 = 1 − β2^t given (`one_b1` is 1 − β1 and `one_b2` 1 − β2, rounded to
 * float32 by the caller as tfjs rounds its scalars). Reads x, g, m, v; writes x2, m2, v2.
 */
EXPORT("adam")
void adam(const float *x, const float *g, const float *m, const float *v, float *x2, float *m2, float *v2, int n,
          float b1, float one_b1, float b2, float one_b2, float c1, float c2, float lr, float eps) {
  const v128_t B1 = wasm_f32x4_splat(b1), OB1 = wasm_f32x4_splat(one_b1);
  const v128_t B2 = wasm_f32x4_splat(b2), OB2 = wasm_f32x4_splat(one_b2);
  const v128_t C1 = wasm_f32x4_splat(c1), C2 = wasm_f32x4_splat(c2);
  const v128_t LR = wasm_f32x4_splat(lr), EPS = wasm_f32x4_splat(eps);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    const v128_t gi = wasm_v128_load(g + i);
    const v128_t mi = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(m + i), B1), wasm_f32x4_mul(gi, OB1));
    const v128_t vi =
        wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(v + i), B2), wasm_f32x4_mul(wasm_f32x4_mul(gi, gi), OB2));
    wasm_v128_store(m2 + i, mi);
    wasm_v128_store(v2 + i, vi);
    const v128_t step = wasm_f32x4_div(wasm_f32x4_mul(wasm_f32x4_div(mi, C1), LR),
                                       wasm_f32x4_add(wasm_f32x4_sqrt(wasm_f32x4_div(vi, C2)), EPS));
    wasm_v128_store(x2 + i, wasm_f32x4_sub(wasm_v128_load(x + i), step));
  }
  for (; i < n; i++) {
    const float gi = g[i];
    const float mi = m[i] * b1 + gi * one_b1;
    const float vi = v[i] * b2 + (gi * gi) * one_b2;
    m2[i] = mi;
    v2[i] = vi;
    x2[i] = x[i] - ((mi / c1) * lr) / (__builtin_sqrtf(vi / c2) + eps);
  }
}
