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
 * 5 × 5 filters on channel counts divisible by 4 have a Winograd kernel below (2.8× fewer
 * multiply-adds).
 */
#include "hpo-kernels.h"

#define INLINE static inline __attribute__((always_inline))

/*
 * Sums of products of x and dy values over `rows` rows of `npos` positions, added to taps [0, g)
 * (g ≤ 2) of 4·nv output channels (nv 1, 2 or 4) at dw + t·wstep. Position q of row r reads x at
 * xs + r·xrow + q·xq (tap t at + t·xstep, splatted) and 4·nv dy values at ds + r·drow + q·dq. g
 * and nv are constants at every call, so the 2 × 4 f32x4 sums stay in registers.
 */
INLINE void tile(const float *xs, const float *ds, float *dw, int rows, int npos, int xrow, int drow, int xq,
                 int xstep, int dq, int wstep, const int g, const int nv) {
  v128_t acc[2][4];
  for (int t = 0; t < g; t++)
    for (int v = 0; v < nv; v++) acc[t][v] = wasm_v128_load(dw + t * wstep + 4 * v);
  for (int r = 0; r < rows; r++, xs += xrow, ds += drow)
    for (int q = 0; q < npos; q++) {
      v128_t d[4];
      for (int v = 0; v < nv; v++) d[v] = wasm_v128_load(ds + q * dq + 4 * v);
      for (int t = 0; t < g; t++) {
        v128_t xv = wasm_v128_load32_splat(xs + q * xq + t * xstep);
        for (int v = 0; v < nv; v++) acc[t][v] = wasm_f32x4_add(acc[t][v], wasm_f32x4_mul(xv, d[v]));
      }
    }
  for (int t = 0; t < g; t++)
    for (int v = 0; v < nv; v++) wasm_v128_store(dw + t * wstep + 4 * v, acc[t][v]);
}

/* `tile` for `lanes` < 4 output channels, one at a time. */
static void tile_lanes(const float *xs, const float *ds, float *dw, int rows, int npos, int xrow, int drow, int xq,
                       int xstep, int dq, int wstep, int g, int lanes) {
  for (int t = 0; t < g; t++)
    for (int l = 0; l < lanes; l++) {
      float acc = dw[t * wstep + l];
      const float *x = xs + t * xstep;
      const float *d = ds + l;
      for (int r = 0; r < rows; r++, x += xrow, d += drow)
        for (int q = 0; q < npos; q++) acc += x[q * xq] * d[q * dq];
      dw[t * wstep + l] = acc;
    }
}

/* `tile` over `co` output channels: blocks of 16, then 8, 4, and single lanes. */
static void tiles(const float *xs, const float *ds, float *dw, int rows, int npos, int xrow, int drow, int xq,
                  int xstep, int dq, int wstep, int g, int co) {
#define TILE(G, NV) tile(xs, ds + o, dw + o, rows, npos, xrow, drow, xq, xstep, dq, wstep, G, NV)
  int o = 0;
  if (g == 2) {
    for (; o + 16 <= co; o += 16) TILE(2, 4);
    if (o + 8 <= co) TILE(2, 2), o += 8;
    if (o + 4 <= co) TILE(2, 1), o += 4;
  } else {
    for (; o + 16 <= co; o += 16) TILE(1, 4);
    if (o + 8 <= co) TILE(1, 2), o += 8;
    if (o + 4 <= co) TILE(1, 1), o += 4;
  }
#undef TILE
  if (o < co) tile_lanes(xs, ds + o, dw + o, rows, npos, xrow, drow, xq, xstep, dq, wstep, g, co - o);
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
          tiles(xs, db + lo * drow, to, hi - lo, ow, xrow, drow, 1, 1, co, c * co, g, co);
        }
    }
  }
}

/*
 * y [i·ys] = Σ over v of Bᵀ [i, v] · x [v·xs] for four lanes, Bᵀ of F(5, 2) at the points 0, 1, −1,
 * 2, −½, ∞ written out (the matrix winogradTransforms(5, 2, [0, 1, −1, 2, −0.5]) builds, which
 * winograd-transforms.test.ts checks against these numbers), rows
 *   1 3/2 −2 −3/2 1 0 / 0 −1 −5/2 −1/2 1 0 / 0 1 1/2 −5/2 1 0 / 0 −1/2 −1 1/2 1 0 / 0 2 −1 −2 1 0 /
 *   0 1 3/2 −2 −3/2 1.
 */
INLINE void bt6_column(const float *x, int xs, float *y, int ys) {
  const v128_t x0 = wasm_v128_load(x), x1 = wasm_v128_load(x + xs), x2 = wasm_v128_load(x + 2 * xs),
               x3 = wasm_v128_load(x + 3 * xs), x4 = wasm_v128_load(x + 4 * xs), x5 = wasm_v128_load(x + 5 * xs);
  const v128_t a = wasm_f32x4_sub(x4, x2), d = wasm_f32x4_sub(x1, x3);
  const v128_t half = wasm_f32x4_const_splat(0.5f), two = wasm_f32x4_const_splat(2.f),
               three_halves = wasm_f32x4_const_splat(1.5f), five_halves = wasm_f32x4_const_splat(2.5f);
  wasm_v128_store(y, wasm_f32x4_add(wasm_f32x4_sub(wasm_f32x4_add(x0, a), x2), wasm_f32x4_mul(three_halves, d)));
  wasm_v128_store(y + ys, wasm_f32x4_sub(wasm_f32x4_sub(x4, x1),
                                         wasm_f32x4_add(wasm_f32x4_mul(five_halves, x2), wasm_f32x4_mul(half, x3))));
  wasm_v128_store(y + 2 * ys, wasm_f32x4_add(wasm_f32x4_add(x4, x1),
                                             wasm_f32x4_sub(wasm_f32x4_mul(half, x2), wasm_f32x4_mul(five_halves, x3))));
  wasm_v128_store(y + 3 * ys, wasm_f32x4_sub(a, wasm_f32x4_mul(half, d)));
  wasm_v128_store(y + 4 * ys, wasm_f32x4_add(a, wasm_f32x4_mul(two, d)));
  wasm_v128_store(y + 5 * ys, wasm_f32x4_add(wasm_f32x4_sub(wasm_f32x4_add(x1, x5), wasm_f32x4_add(x3, x3)),
                                             wasm_f32x4_mul(three_halves, wasm_f32x4_sub(x2, x4))));
}

/*
 * The same dw for 5 × 5 filters by Winograd's minimal filtering F(5 × 5, 2 × 2), with 4 | c and
 * 4 | co: dy is cut into 2 × 2 tiles (zeros past its end), each against the 6 × 6 block of
 * (padded) x it meets, and dw [·, ·, c, o] = Aᵀ [Σ over tiles (G d Gᵀ) ⊙ (Bᵀ X B)] A: per image,
 * every tile's X and d are transformed (channels as the lanes), then the sums over the image's
 * tiles are 36 products [c × tiles] · [tiles × co], one per point of the 6 × 6 transform,
 * accumulated in the transform's domain over all images; Aᵀ · A once at the end. 100
 * multiply-adds of the direct sum per tile and channel pair become 36, plus the transforms
 * (about as much time again as those products at LeNet's second conv). Its rounding error is
 * about 6 times the direct sum's (largest |error| / (1 + |dw|) 6.9e-4 against 1.2e-4 at batch 64,
 * 14 × 14 × 16 → 32, against float64 sums; the points 0, ±1, 2, −1/2 are the best of those
 * tried, 0, ±1, ±2 gave 1.7e-3).
 *
 * `mats` holds G [6, 2], Aᵀ [5, 6] row-major (no static data here: the caller builds them); Bᵀ
 * is written out in bt6_column. Scratch, in floats: 36 · tiles · (c + co) + 36 · c · co + 72 · c + 16 · co with
 * tiles = ⌈oh / 2⌉ · ⌈ow / 2⌉.
 */
EXPORT("conv_filter_grad_f5x5")
void conv_filter_grad_f5x5(const float *x, const float *dy, float *dw, float *scratch, const float *mats, int n,
                           int h, int w, int c, int oh, int ow, int co, int top, int left) {
  const float *g = mats, *at = mats + 12;
  int th = (oh + 1) / 2, tw = (ow + 1) / 2, tiles_n = th * tw;
  float *vx = scratch;                      /* [36, tiles, c]: transformed x tiles */
  float *ud = vx + 36 * tiles_n * c;        /* [36, tiles, co]: transformed dy tiles */
  float *m = ud + 36 * tiles_n * co;        /* [36, c, co]: the sums */
  float *xt = m + 36 * c * co;              /* [6, 6, c]: one x tile */
  float *tx = xt + 36 * c;                  /* [6, 6, c]: Bᵀ applied along columns */
  float *dt = tx + 36 * c;                  /* [6, 2, co]: G applied to one dy tile's rows */
  float *d4 = dt + 12 * co;                 /* [2, 2, co]: one dy tile */
  for (int i = 0; i < 36 * c * co; i++) m[i] = 0;
  for (int b = 0; b < n; b++) {
    const float *xb = x + (long)b * h * w * c;
    const float *db = dy + (long)b * oh * ow * co;
    for (int ti = 0; ti < th; ti++)
      for (int tj = 0; tj < tw; tj++) {
        int t = ti * tw + tj;
        /* X: x rows 2ti − top + u, columns 2tj − left + v; read in place when all inside the image,
         * else copied to xt with zeros outside */
        const int r0 = 2 * ti - top, c0 = 2 * tj - left;
        const float *xs = xb + ((long)r0 * w + c0) * c;
        int xrow = w * c;
        if (r0 < 0 || r0 + 6 > h || c0 < 0 || c0 + 6 > w) {
          for (int u = 0; u < 6; u++)
            for (int v = 0; v < 6; v++) {
              int r = r0 + u, col = c0 + v;
              float *to = xt + (u * 6 + v) * c;
              if (r < 0 || r >= h || col < 0 || col >= w)
                for (int ch = 0; ch < c; ch += 4) wasm_v128_store(to + ch, wasm_f32x4_splat(0));
              else
                for (int ch = 0; ch < c; ch += 4)
                  wasm_v128_store(to + ch, wasm_v128_load(xb + (r * w + col) * c + ch));
            }
          xs = xt;
          xrow = 6 * c;
        }
        /* tx [u, j] = Σ over v of Bᵀ [j, v] · X [u, v]; then V [i, j] = Σ over u of Bᵀ [i, u] · tx [u, j] */
        for (int u = 0; u < 6; u++)
          for (int ch = 0; ch < c; ch += 4) bt6_column(xs + u * xrow + ch, c, tx + u * 6 * c + ch, c);
        for (int j = 0; j < 6; j++)
          for (int ch = 0; ch < c; ch += 4)
            bt6_column(tx + j * c + ch, 6 * c, vx + (j * tiles_n + t) * c + ch, 6 * tiles_n * c);
        /* d: dy rows 2ti + a, columns 2tj + e (zeros past the end); U = G d Gᵀ */
        for (int a = 0; a < 2; a++)
          for (int e = 0; e < 2; e++) {
            int r = 2 * ti + a, col = 2 * tj + e;
            float *to = d4 + (a * 2 + e) * co;
            if (r >= oh || col >= ow)
              for (int o = 0; o < co; o += 4) wasm_v128_store(to + o, wasm_f32x4_splat(0));
            else
              for (int o = 0; o < co; o += 4) wasm_v128_store(to + o, wasm_v128_load(db + (r * ow + col) * co + o));
          }
        for (int i = 0; i < 6; i++)
          for (int e = 0; e < 2; e++)
            for (int o = 0; o < co; o += 4)
              wasm_v128_store(dt + (i * 2 + e) * co + o,
                              wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_splat(g[i * 2]), wasm_v128_load(d4 + e * co + o)),
                                             wasm_f32x4_mul(wasm_f32x4_splat(g[i * 2 + 1]),
                                                            wasm_v128_load(d4 + (2 + e) * co + o))));
        for (int i = 0; i < 6; i++)
          for (int j = 0; j < 6; j++) {
            v128_t k0 = wasm_f32x4_splat(g[j * 2]), k1 = wasm_f32x4_splat(g[j * 2 + 1]);
            float *to = ud + ((i * 6 + j) * tiles_n + t) * co;
            for (int o = 0; o < co; o += 4)
              wasm_v128_store(to + o, wasm_f32x4_add(wasm_f32x4_mul(k0, wasm_v128_load(dt + (i * 2) * co + o)),
                                                     wasm_f32x4_mul(k1, wasm_v128_load(dt + (i * 2 + 1) * co + o))));
          }
      }
    /* m [p, ch, o] += Σ over tiles of V [p, tile, ch] · U [p, tile, o] */
    for (int p = 0; p < 36; p++)
      for (int ch = 0; ch < c; ch += 2)
        tiles(vx + p * tiles_n * c + ch, ud + p * tiles_n * co, m + (p * c + ch) * co, 1, tiles_n, 0, 0, c, 1, co, co,
              2, co);
  }
  /* dw [ki, kj, ch, o] = Σ over i, j of Aᵀ [ki, i] · m [i·6 + j, ch, o] · Aᵀ [kj, j] */
  for (int ch = 0; ch < c; ch++)
    for (int o = 0; o < co; o += 4) {
      v128_t rows[5][6];
      for (int ki = 0; ki < 5; ki++)
        for (int j = 0; j < 6; j++) {
          v128_t s = wasm_f32x4_splat(0);
          for (int i = 0; i < 6; i++)
            s = wasm_f32x4_add(s, wasm_f32x4_mul(wasm_f32x4_splat(at[ki * 6 + i]),
                                                 wasm_v128_load(m + ((i * 6 + j) * c + ch) * co + o)));
          rows[ki][j] = s;
        }
      for (int ki = 0; ki < 5; ki++)
        for (int kj = 0; kj < 5; kj++) {
          v128_t s = wasm_f32x4_splat(0);
          for (int j = 0; j < 6; j++) s = wasm_f32x4_add(s, wasm_f32x4_mul(wasm_f32x4_splat(at[kj * 6 + j]), rows[ki][j]));
          wasm_v128_store(dw + ((ki * 5 + kj) * c + ch) * co + o, s);
        }
    }
}
