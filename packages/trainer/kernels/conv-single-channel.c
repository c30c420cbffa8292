/*
 * Forward of a stride-1 convolution of single-channel images (a first layer on grey images), with
 * its bias: y [b, r, q, o] = bias [o] + Σ over taps ki, kj of
 * x [b, r + ki − top, q + kj − left] · f [ki, kj, o], for x [n, h, w, 1], f [kh, kw, 1, co], any
 * padding. XNNPACK runs this shape at about half the rate of a many-channel one (a reduction of
 * only kh · kw per output). Here output channels are the vector lanes: each image is first copied
 * into a scratch padded by zeros on every side, then per output row, block of 8 channels and run
 * of 4 columns the 4 × 2 f32x4 sums stay in registers over all taps, each tap loading its 8
 * weights once and multiplying them by the 4 columns' inputs splatted.
 */
#include "hpo-kernels.h"

#define INLINE static inline __attribute__((always_inline))

/*
 * y at `out` (column q at q·co) for p ≤ 4 columns and 4·nv channels (nv 1 or 2): bias b, weights
 * f (tap t at t·co), padded input xs (tap ki, kj of column q at ki·wp + kj + q). p and nv are
 * constants at every call, so the sums stay in registers.
 */
INLINE void tile(const float *xs, const float *f, const float *b, float *out, int kh, int kw, int wp, int co,
                 const int p, const int nv) {
  v128_t acc[4][2];
  for (int v = 0; v < nv; v++) {
    v128_t bv = wasm_v128_load(b + 4 * v);
    for (int q = 0; q < p; q++) acc[q][v] = bv;
  }
  for (int ki = 0; ki < kh; ki++)
    for (int kj = 0; kj < kw; kj++) {
      const float *ft = f + (ki * kw + kj) * co;
      v128_t wv[2];
      for (int v = 0; v < nv; v++) wv[v] = wasm_v128_load(ft + 4 * v);
      const float *xt = xs + ki * wp + kj;
      for (int q = 0; q < p; q++) {
        v128_t xv = wasm_v128_load32_splat(xt + q);
        for (int v = 0; v < nv; v++) acc[q][v] = wasm_f32x4_add(acc[q][v], wasm_f32x4_mul(xv, wv[v]));
      }
    }
  for (int q = 0; q < p; q++)
    for (int v = 0; v < nv; v++) wasm_v128_store(out + q * co + 4 * v, acc[q][v]);
}

/* `tile` for the last co % 4 channels (`lanes` of them) and p columns, one value at a time. */
static void tile_lanes(const float *xs, const float *f, const float *b, float *out, int kh, int kw, int wp, int co,
                       int p, int lanes) {
  for (int q = 0; q < p; q++)
    for (int l = 0; l < lanes; l++) {
      float acc = b[l];
      for (int ki = 0; ki < kh; ki++)
        for (int kj = 0; kj < kw; kj++) acc += xs[ki * wp + kj + q] * f[(ki * kw + kj) * co + l];
      out[q * co + l] = acc;
    }
}

/* `tile` with p and nv as constants. */
static void tile_of(const float *xs, const float *f, const float *b, float *out, int kh, int kw, int wp, int co, int p,
                    int nv) {
#define TILE(P)                                   \
  case P:                                         \
    if (nv == 2)                                  \
      tile(xs, f, b, out, kh, kw, wp, co, P, 2);  \
    else                                          \
      tile(xs, f, b, out, kh, kw, wp, co, P, 1);  \
    break;
  switch (p) {
    TILE(1)
    TILE(2)
    TILE(3)
    TILE(4)
  }
#undef TILE
}

/*
 * y [n, oh, ow, co] of the stride-1 convolution of x [n, h, w, 1] with f [kh, kw, 1, co] plus
 * bias [co], `top` / `left` padding (oh = h + top + bottom − kh + 1, likewise ow). xp is scratch
 * of (oh + kh − 1) · (ow + kw − 1) floats.
 */
EXPORT("conv_single_channel")
void conv_single_channel(const float *x, const float *f, const float *bias, float *y, float *xp, int n, int h, int w,
                         int oh, int ow, int kh, int kw, int co, int top, int left) {
  int hp = oh + kh - 1;
  int wp = ow + kw - 1;
  for (int b = 0; b < n; b++) {
    const float *xb = x + (long)b * h * w;
    float *yb = y + (long)b * oh * ow * co;
    /* padded row i, column j holds input row i − top, column j − left */
    for (int i = 0; i < hp; i++) {
      int r = i - top;
      for (int j = 0; j < wp; j++) {
        int col = j - left;
        xp[i * wp + j] = r < 0 || r >= h || col < 0 || col >= w ? 0 : xb[r * w + col];
      }
    }
    for (int r = 0; r < oh; r++)
      for (int q = 0; q < ow; q += 4) {
        int p = ow - q < 4 ? ow - q : 4;
        const float *xs = xp + r * wp + q;
        float *out = yb + (r * ow + q) * co;
        int o = 0;
        for (; o + 8 <= co; o += 8) tile_of(xs, f + o, bias + o, out + o, kh, kw, wp, co, p, 2);
        if (o + 4 <= co) {
          tile_of(xs, f + o, bias + o, out + o, kh, kw, wp, co, p, 1);
          o += 4;
        }
        if (o < co) tile_lanes(xs, f + o, bias + o, out + o, kh, kw, wp, co, p, co - o);
      }
  }
}
