/*
 * Max pooling over 2×2 windows at stride 2 (NHWC, x [n, h, w, c] → y [n, h/2, w/2, c], rounded
 * down: an odd last row or column is in no window), forward and gradient, optionally with a ReLU
 * applied to the pooled value (relu(max(x)) = max(relu(x)): the conv layer's activation folded into
 * the pool that follows it). Each window's taps are read in row-major order and its maximum is the
 * first largest one, as the cpu backend's kernels pick it, so the gradient lands on the same pixel.
 */
#include "hpo-kernels.h"

/* y = max over each window (then max(·, 0) when relu ≠ 0): four channels at a time, the rest alone. */
EXPORT("max_pool_2x2")
void max_pool_2x2(const float *x, float *y, int n, int h, int w, int c, int relu) {
  const int oh = h / 2, ow = w / 2;
  const long down = (long)w * c;
  const v128_t zero = wasm_f32x4_splat(0);
  for (int b = 0; b < n; b++)
    for (int i = 0; i < oh; i++)
      for (int j = 0; j < ow; j++) {
        const float *p = x + ((long)(b * h + 2 * i) * w + 2 * j) * c;
        float *o = y + ((long)(b * oh + i) * ow + j) * c;
        int k = 0;
        for (; k + 4 <= c; k += 4) {
          /* pmax(a, b) = a < b ? b : a: a later tap wins only when strictly larger */
          v128_t m = wasm_v128_load(p + k);
          m = wasm_f32x4_pmax(m, wasm_v128_load(p + c + k));
          m = wasm_f32x4_pmax(m, wasm_v128_load(p + down + k));
          m = wasm_f32x4_pmax(m, wasm_v128_load(p + down + c + k));
          if (relu) m = wasm_f32x4_pmax(zero, m);
          wasm_v128_store(o + k, m);
        }
        for (; k < c; k++) {
          float m = p[k];
          if (p[c + k] > m) m = p[c + k];
          if (p[down + k] > m) m = p[down + k];
          if (p[down + c + k] > m) m = p[down + c + k];
          o[k] = relu && !(m > 0) ? 0 : m;
        }
      }
}

/*
 * dx = dy scattered onto each window's first maximum (zero elsewhere, and on the odd last row or
 * column); with relu ≠ 0 only where that maximum is > 0 (ReLU's gradient, 0 at 0, applied too).
 * Windows do not overlap, so every dx value is written exactly once.
 */
EXPORT("max_pool_2x2_grad")
void max_pool_2x2_grad(const float *x, const float *dy, float *dx, int n, int h, int w, int c, int relu) {
  const int oh = h / 2, ow = w / 2;
  const long down = (long)w * c;
  const v128_t zero = wasm_f32x4_splat(0);
  for (int b = 0; b < n; b++) {
    for (int i = 0; i < oh; i++) {
      const long row = (long)(b * h + 2 * i) * w;
      for (int j = 0; j < ow; j++) {
        const long at = (row + 2 * j) * c;
        const float *p = x + at;
        float *d = dx + at;
        const float *g = dy + ((long)(b * oh + i) * ow + j) * c;
        int k = 0;
        for (; k + 4 <= c; k += 4) {
          v128_t m = wasm_v128_load(p + k);
          v128_t t = wasm_v128_load(p + c + k);
          const v128_t c1 = wasm_f32x4_gt(t, m);
          m = wasm_v128_bitselect(t, m, c1);
          t = wasm_v128_load(p + down + k);
          const v128_t c2 = wasm_f32x4_gt(t, m);
          m = wasm_v128_bitselect(t, m, c2);
          t = wasm_v128_load(p + down + c + k);
          const v128_t c3 = wasm_f32x4_gt(t, m);
          m = wasm_v128_bitselect(t, m, c3);
          v128_t v = wasm_v128_load(g + k);
          if (relu) v = wasm_v128_and(v, wasm_f32x4_gt(m, zero));
          /* the last tap that beat the running maximum is the first maximum */
          const v128_t not3 = wasm_v128_andnot(v, c3);
          const v128_t not23 = wasm_v128_andnot(not3, c2);
          wasm_v128_store(d + k, wasm_v128_andnot(not23, c1));
          wasm_v128_store(d + c + k, wasm_v128_and(not23, c1));
          wasm_v128_store(d + down + k, wasm_v128_and(not3, c2));
          wasm_v128_store(d + down + c + k, wasm_v128_and(v, c3));
        }
        for (; k < c; k++) {
          /* taps 0..3 at k, c + k, down + k, down + c + k */
          float m = p[k];
          int best = 0;
          if (p[c + k] > m) m = p[c + k], best = 1;
          if (p[down + k] > m) m = p[down + k], best = 2;
          if (p[down + c + k] > m) m = p[down + c + k], best = 3;
          const float v = relu && !(m > 0) ? 0 : g[k];
          d[k] = best == 0 ? v : 0;
          d[c + k] = best == 1 ? v : 0;
          d[down + k] = best == 2 ? v : 0;
          d[down + c + k] = best == 3 ? v : 0;
        }
      }
      if (w % 2) /* the odd last column, in both rows of the windows */
        for (int k = 0; k < c; k++) dx[(row + w - 1) * c + k] = dx[(row + w + w - 1) * c + k] = 0;
    }
    if (h % 2) /* the odd last row */
      for (long k = 0; k < down; k++) dx[(long)(b * h + h - 1) * w * c + k] = 0;
  }
}
