/*
 * Matrix products of hpo's dense layers (HpoPackedMatMul): c [m, n] = a · b with b row-major
 * [s, n] and a read through strides, so one kernel serves a [m, s] (row stride s, k stride 1) and
 * aᵀ for a stored as [s, m] (row stride 1, k stride m) without transposing it first. Tiles of 4
 * rows by 8 columns of c (then 4 columns, then 1, then single rows at the edges) are summed in
 * registers; k runs in blocks of KC so that a block of b's columns stays in the first-level cache
 * while every row of a passes it, each tile carrying its sums from one block to the next. Every
 * sum runs over k in order, as XNNPACK's does (the same floats, measured), with no packing of b
 * (which changes at every step: XNNPACK, through tfjs's BatchMatMul, packs it anew at each call).
 */
#include "hpo-kernels.h"

#define KC 256
#define MADD(acc, x, y) acc = wasm_f32x4_add(acc, wasm_f32x4_mul(x, y))
#define LOAD_OR_ZERO(p) (first ? wasm_f32x4_splat(0) : wasm_v128_load(p))

/* c [i..i+4, j..j+8] over k in [k0, k1): a's rows a0..a3 (at k·aks), b from row k0. */
static inline void tile4x8(const float *a0, const float *a1, const float *a2, const float *a3, long aks,
                           const float *b, float *c0, float *c1, float *c2, float *c3, int n, int k0, int k1,
                           int first) {
  v128_t s00 = LOAD_OR_ZERO(c0), s01 = LOAD_OR_ZERO(c0 + 4), s10 = LOAD_OR_ZERO(c1), s11 = LOAD_OR_ZERO(c1 + 4);
  v128_t s20 = LOAD_OR_ZERO(c2), s21 = LOAD_OR_ZERO(c2 + 4), s30 = LOAD_OR_ZERO(c3), s31 = LOAD_OR_ZERO(c3 + 4);
  const float *bk = b + (long)k0 * n;
  long ak = k0 * aks;
  for (int k = k0; k < k1; k++, bk += n, ak += aks) {
    const v128_t b0 = wasm_v128_load(bk), b1 = wasm_v128_load(bk + 4);
    v128_t x = wasm_f32x4_splat(a0[ak]);
    MADD(s00, x, b0);
    MADD(s01, x, b1);
    x = wasm_f32x4_splat(a1[ak]);
    MADD(s10, x, b0);
    MADD(s11, x, b1);
    x = wasm_f32x4_splat(a2[ak]);
    MADD(s20, x, b0);
    MADD(s21, x, b1);
    x = wasm_f32x4_splat(a3[ak]);
    MADD(s30, x, b0);
    MADD(s31, x, b1);
  }
  wasm_v128_store(c0, s00);
  wasm_v128_store(c0 + 4, s01);
  wasm_v128_store(c1, s10);
  wasm_v128_store(c1 + 4, s11);
  wasm_v128_store(c2, s20);
  wasm_v128_store(c2 + 4, s21);
  wasm_v128_store(c3, s30);
  wasm_v128_store(c3 + 4, s31);
}

/* c [i, j..j+4] over k in [k0, k1) for one row of a. */
static inline void tile1x4(const float *a0, long aks, const float *b, float *c0, int n, int k0, int k1, int first) {
  v128_t s0 = LOAD_OR_ZERO(c0);
  const float *bk = b + (long)k0 * n;
  long ak = k0 * aks;
  for (int k = k0; k < k1; k++, bk += n, ak += aks) MADD(s0, wasm_f32x4_splat(a0[ak]), wasm_v128_load(bk));
  wasm_v128_store(c0, s0);
}

/* c [i, j] over k in [k0, k1) for one row of a and one column of b. */
static inline void tile1x1(const float *a0, long aks, const float *b, float *c0, int n, int k0, int k1, int first) {
  float t = first ? 0 : *c0;
  const float *bk = b + (long)k0 * n;
  long ak = k0 * aks;
  for (int k = k0; k < k1; k++, bk += n, ak += aks) t += a0[ak] * *bk;
  *c0 = t;
}

/* c [m, n] = Σ over k < s of a(i, k) · b [k, n], a(i, k) at a[i·ars + k·aks]. */
EXPORT("matmul")
void matmul(const float *a, int ars, int aks, const float *b, float *c, int m, int s, int n) {
  if (s == 0) {
    for (long i = 0; i < (long)m * n; i++) c[i] = 0;
    return;
  }
  for (int k0 = 0; k0 < s; k0 += KC) {
    const int k1 = k0 + KC < s ? k0 + KC : s, first = k0 == 0;
    const int n8 = n - n % 8, m4 = m - m % 4;
    if (ars == 1) {
      /* aᵀ: its 4 rows of a tile are adjacent floats of each k's row; keep them in cache for all of b */
      for (int i = 0; i < m4; i += 4)
        for (int j = 0; j < n8; j += 8) {
          const float *a0 = a + i;
          float *c0 = c + (long)i * n + j;
          tile4x8(a0, a0 + 1, a0 + 2, a0 + 3, aks, b + j, c0, c0 + n, c0 + 2 * n, c0 + 3 * n, n, k0, k1, first);
        }
    } else {
      /* a by rows: keep a block of 8 columns of b in cache for all of a */
      for (int j = 0; j < n8; j += 8)
        for (int i = 0; i < m4; i += 4) {
          const float *a0 = a + (long)i * ars;
          float *c0 = c + (long)i * n + j;
          tile4x8(a0, a0 + ars, a0 + 2 * ars, a0 + 3 * ars, aks, b + j, c0, c0 + n, c0 + 2 * n, c0 + 3 * n, n, k0, k1,
                  first);
        }
    }
    for (int i = m4; i < m; i++)
      for (int j = 0; j < n8; j += 4) tile1x4(a + (long)i * ars, aks, b + j, c + (long)i * n + j, n, k0, k1, first);
    int j = n8;
    for (; j + 4 <= n; j += 4)
      for (int i = 0; i < m; i++) tile1x4(a + (long)i * ars, aks, b + j, c + (long)i * n + j, n, k0, k1, first);
    for (; j < n; j++)
      for (int i = 0; i < m; i++) tile1x1(a + (long)i * ars, aks, b + j, c + (long)i * n + j, n, k0, k1, first);
  }
}
