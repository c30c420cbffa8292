/*
 * Filter gradient of a stride-1 convolution (Conv2DBackpropFilter, HpoPackedConv2DBackpropFilter):
 *
 *   dw [ki, kj, c, o] = Σ over image b, output row r, column q of
 *                       x [b, r + ki − top, q + kj − left, c] · dy [b, r, q, o]
 *
 * for NHWC x [n, h, w, c], dy [n, oh, ow, co] and dw [kh, kw, c, co], any padding. Image by image
 * (its x and dy stay in cache): the image is first copied into a scratch as rows of channels of
 * columns ([h, c, ow + kw − 1]) padded by zeros left and right, so a filter row's taps read every
 * output column without bounds tests and successive taps' inputs lie side by side; rows a tap
 * reads from the padding are skipped. Then per filter row, input channel, pair of taps and block
 * of 16 output channels, the tile's 2 × 4 f32x4 sums stay in registers over all the image's
 * output positions: each position loads the 16 dy values once and multiplies them by each tap's
 * x value splatted. (Measured under V8 at LeNet's second conv: 2 taps × 16 channels ≈ 3 × 8 >
 * 4 × 8 > 5 × 8, the last spilling registers; channel-major rows beat NHWC ones by 15 %.)
 */
#include "hpo-kernels.h"

#define INLINE static inline __attribute__((always_inline))

/*
 * dw's taps [0, g) (g ≤ 2, tap t at dw + t·c·co) for 4·nv output channels (nv 1, 2 or 4), summed
 * over `rows` rows of `ow` positions: row r's x values at xs + r·xrow (tap t of column q at
 * q + t), its dy at ds + r·drow (column q at q·co). g and nv are constants at every call, so the
 * sums stay in registers.
 */
INLINE void tile(const float *xs, const float *ds, float *dw, int rows, int ow, int xrow, int drow, int c, int co,
                 const int g, const int nv) {
  v128_t acc[2][4];
  for (int t = 0; t < g; t++)
    for (int v = 0; v < nv; v++) acc[t][v] = wasm_v128_load(dw + t * c * co + 4 * v);
  for (int r = 0; r < rows; r++, xs += xrow, ds += drow)
    for (int q = 0; q < ow; q++) {
      v128_t d[4];
      for (int v = 0; v < nv; v++) d[v] = wasm_v128_load(ds + q * co + 4 * v);
      for (int t = 0; t < g; t++) {
        v128_t xv = wasm_v128_load32_splat(xs + q + t);
        for (int v = 0; v < nv; v++) acc[t][v] = wasm_f32x4_add(acc[t][v], wasm_f32x4_mul(xv, d[v]));
      }
    }
  for (int t = 0; t < g; t++)
    for (int v = 0; v < nv; v++) wasm_v128_store(dw + t * c * co + 4 * v, acc[t][v]);
}

/* `tile` for the last co % 4 output channels (`lanes` of them), one at a time. */
static void tile_lanes(const float *xs, const float *ds, float *dw, int rows, int ow, int xrow, int drow, int c,
                       int co, int g, int lanes) {
  for (int t = 0; t < g; t++)
    for (int l = 0; l < lanes; l++) {
      float acc = dw[t * c * co + l];
      const float *x = xs + t;
      const float *d = ds + l;
      for (int r = 0; r < rows; r++, x += xrow, d += drow)
        for (int q = 0; q < ow; q++) acc += x[q] * d[q * co];
      dw[t * c * co + l] = acc;
    }
}

/* `tile` with g and nv as constants. */
static void tile_of(const float *xs, const float *ds, float *dw, int rows, int ow, int xrow, int drow, int c, int co,
                    int g, int nv) {
#define TILE(G)                                            \
  case G:                                                  \
    if (nv == 4)                                           \
      tile(xs, ds, dw, rows, ow, xrow, drow, c, co, G, 4); \
    else if (nv == 2)                                      \
      tile(xs, ds, dw, rows, ow, xrow, drow, c, co, G, 2); \
    else                                                   \
      tile(xs, ds, dw, rows, ow, xrow, drow, c, co, G, 1); \
    break;
  switch (g) {
    TILE(1)
    TILE(2)
  }
#undef TILE
}

/*
 * dw [kh, kw, c, co] of the stride-1 convolution of x [n, h, w, c] giving dy [n, oh, ow, co] with
 * `top` / `left` padding (oh = h + top + bottom − kh + 1, likewise ow). xp is scratch of
 * h · c · (ow + kw − 1) floats.
 */
EXPORT("conv_filter_grad")
void conv_filter_grad(const float *x, const float *dy, float *dw, float *xp, int n, int h, int w, int c, int oh,
                      int ow, int kh, int kw, int co, int top, int left) {
  int wp = ow + kw - 1;
  int xrow = wp * c;
  int drow = ow * co;
  for (int i = 0; i < kh * kw * c * co; i++) dw[i] = 0;
  for (int b = 0; b < n; b++) {
    const float *xb = x + (long)b * h * w * c;
    const float *db = dy + (long)b * oh * ow * co;
    /* row r, channel ch, padded column j holds x [b, r, j − left, ch] */
    for (int r = 0; r < h; r++)
      for (int j = 0; j < wp; j++) {
        int col = j - left;
        float *to = xp + r * xrow + j;
        if (col < 0 || col >= w)
          for (int ch = 0; ch < c; ch++) to[ch * wp] = 0;
        else
          for (int ch = 0; ch < c; ch++) to[ch * wp] = xb[(r * w + col) * c + ch];
      }
    for (int ki = 0; ki < kh; ki++) {
      /* output rows whose input row r + ki − top is in the image */
      int lo = top - ki > 0 ? top - ki : 0;
      int hi = h + top - ki < oh ? h + top - ki : oh;
      if (hi <= lo) continue;
      for (int ch = 0; ch < c; ch++)
        for (int kj = 0; kj < kw; kj += 2) {
          int g = kw - kj < 2 ? kw - kj : 2;
          const float *xs = xp + (lo + ki - top) * xrow + ch * wp + kj;
          float *to = dw + ((ki * kw + kj) * c + ch) * co;
          int o = 0;
          for (; o + 16 <= co; o += 16) tile_of(xs, db + lo * drow + o, to + o, hi - lo, ow, xrow, drow, c, co, g, 4);
          if (o + 8 <= co) {
            tile_of(xs, db + lo * drow + o, to + o, hi - lo, ow, xrow, drow, c, co, g, 2);
            o += 8;
          }
          if (o + 4 <= co) {
            tile_of(xs, db + lo * drow + o, to + o, hi - lo, ow, xrow, drow, c, co, g, 1);
            o += 4;
          }
          if (o < co) tile_lanes(xs, db + lo * drow + o, to + o, hi - lo, ow, xrow, drow, c, co, g, co - o);
        }
    }
  }
}
