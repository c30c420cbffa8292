/*
 * Stride-1 2-D convolutions (NHWC, correlation as tfjs computes it) by Winograd minimal filtering
 * F(m×m, r×r): each m×m block of outputs from an α×α input tile (α = m + r − 1) as
 * Y = Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A, α² multiplies per input/output channel pair instead of m²r².
 * The elementwise stage over all channel pairs is α² small matrix products [tiles × C]·[C × CO],
 * which is where the time goes; the transforms run on four channels at a time (f32x4).
 *
 * The transform matrices Bᵀ (α×α), Aᵀ (m×α) and G (α×r) come from the caller (computed in
 * src/winograd-transforms.ts: kernels have no static data), as do all scratch buffers; only the
 * α = 8 input transform and F(4, 5)'s output transform, the ones LeNet's 5×5 convs run, are
 * written out with their coefficients as literals (bt8_column, at8x4_column).
 * Channel counts are padded to multiples of 4 in the transformed layouts (cp, cop).
 */
#include "hpo-kernels.h"

/* Tiles per micro-tile of the elementwise products (the block of tiles is a multiple of this). */
#define MR 4

static inline int round4(int v) { return (v + 3) & ~3; }

/* Four floats p[0], p[s], p[2s], p[3s], lanes at or past `valid` zero (nothing read there). */
static inline v128_t load_strided(const float *p, int s, int valid) {
  return wasm_f32x4_make(valid > 0 ? p[0] : 0.f, valid > 1 ? p[s] : 0.f, valid > 2 ? p[2 * s] : 0.f,
                         valid > 3 ? p[3 * s] : 0.f);
}

/* Stores the first `valid` (1–4) lanes of v at p. */
static inline void store_lanes(float *p, v128_t v, int valid) {
  if (valid >= 4) {
    wasm_v128_store(p, v);
    return;
  }
  p[0] = wasm_f32x4_extract_lane(v, 0);
  if (valid > 1) p[1] = wasm_f32x4_extract_lane(v, 1);
  if (valid > 2) p[2] = wasm_f32x4_extract_lane(v, 2);
}

/*
 * Transformed filters u [α²][cp][cop] = G g Gᵀ for every (input, output) channel pair, zero in the
 * padding channels. The filter's element (i, j, ci, co) (tap row, tap column, input and output
 * channel of this convolution) is at g + i·si + j·sj + ci·sc + co·so, so a filter read flipped and
 * with its channel axes swapped (the input gradient's) needs no copy.
 */
EXPORT("winograd_filter")
void winograd_filter(const float *g, int r, int si, int sj, int sc, int so, int c, int co, const float *gm, int alpha,
                     float *u) {
  const int cp = round4(c), cop = round4(co);
  for (int k = 0; k < alpha * alpha; k++)
    for (int ci = c; ci < cp; ci++)
      for (int o = 0; o < cop; o += 4) wasm_v128_store(u + (k * cp + ci) * cop + o, wasm_f32x4_splat(0));
  v128_t tmp[8 * 8]; /* G g: α × r, four output channels a lane */
  for (int ci = 0; ci < c; ci++)
    for (int o = 0; o < cop; o += 4) {
      const float *base = g + ci * sc + o * so;
      for (int a = 0; a < alpha; a++)
        for (int j = 0; j < r; j++) {
          v128_t acc = wasm_f32x4_splat(0);
          for (int i = 0; i < r; i++)
            acc = wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_f32x4_splat(gm[a * r + i]),
                                                     load_strided(base + i * si + j * sj, so, co - o)));
          tmp[a * r + j] = acc;
        }
      for (int a = 0; a < alpha; a++)
        for (int b = 0; b < alpha; b++) {
          v128_t acc = wasm_f32x4_splat(0);
          for (int j = 0; j < r; j++)
            acc = wasm_f32x4_add(acc, wasm_f32x4_mul(tmp[a * r + j], wasm_f32x4_splat(gm[b * r + j])));
          wasm_v128_store(u + ((a * alpha + b) * cp + ci) * cop + o, acc);
        }
    }
}

/*
 * The transforms rely on the order of the points (src/winograd-transforms.ts): 0, then pairs ±p
 * (P = (α − 2)/2 of them), then ∞. Bᵀ's row for 0 is an even polynomial, ∞'s an odd one, and the
 * rows of +p and −p share their even coefficients and negate their odd ones, so each pair costs
 * one even and one odd sum; Aᵀ's columns for ±p are pᶦ and (−p)ᶦ, so each pair enters output i
 * as (s₊ + s₋) or (s₊ − s₋) times pᶦ. Row 0 of Aᵀ is all ones, the first pair is ±1, and each
 * row of Bᵀ has 1 as its leading coefficient: those multiplies are left out. Under half a dense
 * product's work.
 */
#define SPLAT(p) wasm_v128_load32_splat(p)
#define MAC(acc, a, b) acc = wasm_f32x4_add(acc, wasm_f32x4_mul(a, b))

/* y[k·ys] = Σ_l bt[k][l] x[l·xs] for k < A: Bᵀ x for one column of four channels. */
static inline __attribute__((always_inline)) void bt_column(const int A, const float *bt, const float *x, int xs,
                                                             float *y, int ys) {
  const int P = (A - 2) / 2;
  v128_t d[8];
  for (int l = 0; l < A; l++) d[l] = wasm_v128_load(x + l * xs);
  /* every row's leading coefficient is 1 (Π (x − p) over the other points) */
  v128_t zero = d[A - 2], inf = d[A - 1];
  for (int l = 0; l < A - 2; l += 2) {
    MAC(zero, SPLAT(bt + l), d[l]);
    MAC(inf, SPLAT(bt + (A - 1) * A + l + 1), d[l + 1]);
  }
  wasm_v128_store(y, zero);
  wasm_v128_store(y + (A - 1) * ys, inf);
  for (int k = 1; k <= P; k++) {
    const float *row = bt + (2 * k - 1) * A;
    v128_t even = d[A - 2], odd = wasm_f32x4_mul(SPLAT(row + 1), d[1]);
    for (int l = 2; l < A - 2; l += 2) MAC(even, SPLAT(row + l), d[l]);
    for (int l = 3; l < A - 1; l += 2) MAC(odd, SPLAT(row + l), d[l]);
    wasm_v128_store(y + (2 * k - 1) * ys, wasm_f32x4_add(even, odd));
    wasm_v128_store(y + 2 * k * ys, wasm_f32x4_sub(even, odd));
  }
}

/*
 * The α = 8 transforms with their coefficients as literals: points 0, ±1, ±2, ±½, ∞, the default
 * order of src/winograd-transforms.ts, whose Bᵀ (the same for every α = 8) and F(4, 5)'s Aᵀ
 * winograd-transforms.test.ts checks against these numbers. Same ±p pair structure as above,
 * with common factors taken out and no coefficient loaded from memory (faster than bt_column /
 * at_column: docs/performance.md, "CNN training").
 */
#define K(c) wasm_f32x4_const_splat(c)
#define MUL(c, v) wasm_f32x4_mul(K(c), v)
#define ADD wasm_f32x4_add
#define SUB wasm_f32x4_sub

/* y[k·ys] = Σ_l Bᵀ[k][l] x[l·xs] for α = 8, Bᵀ's rows (coefficients of x⁰ … x⁷)
 *   0: −1 0 21/4 0 −21/4 0 1 0     ±1: 0 ±1 1 ∓17/4 −17/4 ±1 1 0
 *   ±2: 0 ±1/2 1/4 ∓5/2 −5/4 ±2 1 0     ±½: 0 ±2 4 ∓5/2 −5 ±1/2 1 0     ∞: 0 −1 0 21/4 0 −21/4 0 1 */
static inline __attribute__((always_inline)) void bt8_column(const float *x, int xs, float *y, int ys) {
  const v128_t d0 = wasm_v128_load(x), d1 = wasm_v128_load(x + xs), d2 = wasm_v128_load(x + 2 * xs),
               d3 = wasm_v128_load(x + 3 * xs), d4 = wasm_v128_load(x + 4 * xs), d5 = wasm_v128_load(x + 5 * xs),
               d6 = wasm_v128_load(x + 6 * xs), d7 = wasm_v128_load(x + 7 * xs);
  wasm_v128_store(y, ADD(SUB(d6, d0), MUL(5.25f, SUB(d2, d4))));
  wasm_v128_store(y + 7 * ys, ADD(SUB(d7, d1), MUL(5.25f, SUB(d3, d5))));
  const v128_t e1 = SUB(ADD(d2, d6), MUL(4.25f, d4)), o1 = SUB(ADD(d1, d5), MUL(4.25f, d3));
  wasm_v128_store(y + ys, ADD(e1, o1));
  wasm_v128_store(y + 2 * ys, SUB(e1, o1));
  const v128_t e2 = ADD(d6, SUB(MUL(0.25f, d2), MUL(1.25f, d4)));
  const v128_t o2 = ADD(MUL(0.5f, d1), SUB(MUL(2.f, d5), MUL(2.5f, d3)));
  wasm_v128_store(y + 3 * ys, ADD(e2, o2));
  wasm_v128_store(y + 4 * ys, SUB(e2, o2));
  const v128_t e3 = ADD(d6, MUL(4.f, SUB(d2, MUL(1.25f, d4))));
  const v128_t o3 = ADD(MUL(2.f, d1), SUB(MUL(0.5f, d5), MUL(2.5f, d3)));
  wasm_v128_store(y + 5 * ys, ADD(e3, o3));
  wasm_v128_store(y + 6 * ys, SUB(e3, o3));
}

/* y[i·ys] = b + Σ_j Aᵀ[i][j] s[j·ss] for F(4, 5), Aᵀ's rows 1 1 1 1 1 1 1 0 / 0 1 −1 2 −2 ½ −½ 0 /
 * 0 1 1 4 4 ¼ ¼ 0 / 0 1 −1 8 −8 ⅛ −⅛ 1. A b of −0 adds nothing (x + −0 = x), and clang drops it. */
static inline __attribute__((always_inline)) void at8x4_column(const float *s, int ss, v128_t b, float *y, int ys) {
  const v128_t s1 = wasm_v128_load(s + ss), s2 = wasm_v128_load(s + 2 * ss), s3 = wasm_v128_load(s + 3 * ss),
               s4 = wasm_v128_load(s + 4 * ss), s5 = wasm_v128_load(s + 5 * ss), s6 = wasm_v128_load(s + 6 * ss);
  const v128_t sum1 = ADD(s1, s2), dif1 = SUB(s1, s2), sum2 = ADD(s3, s4), dif2 = SUB(s3, s4), sum3 = ADD(s5, s6),
               dif3 = SUB(s5, s6);
  wasm_v128_store(y, ADD(b, ADD(ADD(wasm_v128_load(s), sum1), ADD(sum2, sum3))));
  wasm_v128_store(y + ys, ADD(b, ADD(dif1, ADD(MUL(2.f, dif2), MUL(0.5f, dif3)))));
  wasm_v128_store(y + 2 * ys, ADD(b, ADD(sum1, ADD(MUL(4.f, sum2), MUL(0.25f, sum3)))));
  wasm_v128_store(y + 3 * ys,
                  ADD(b, ADD(ADD(dif1, wasm_v128_load(s + 7 * ss)), ADD(MUL(8.f, dif2), MUL(0.125f, dif3)))));
}

/*
 * v[ξ][·] = Bᵀ d B for one tile, d[k][j] (four channels from q) at src + k·rs + j·ps + q;
 * consecutive ξ are vs floats apart. A is α, a compile-time constant after inlining.
 */
static inline __attribute__((always_inline)) void input_tile(const int A, const float *src, int rs, int ps, int cp,
                                                              const float *bt, float *v, int vs) {
  for (int q = 0; q < cp; q += 4) {
    float t[8 * 8 * 4]; /* Bᵀ d, [α][α] of four channels */
    if (A == 8) {
      for (int j = 0; j < A; j++) bt8_column(src + j * ps + q, rs, t + 4 * j, 4 * A);
      for (int i = 0; i < A; i++) bt8_column(t + 4 * A * i, 4, v + i * A * vs + q, vs);
      continue;
    }
    for (int j = 0; j < A; j++) bt_column(A, bt, src + j * ps + q, rs, t + 4 * j, 4 * A);
    for (int i = 0; i < A; i++) bt_column(A, bt, t + 4 * A * i, 4, v + i * A * vs + q, vs);
  }
}

/* y[i·ys] = Σ_j at[i][j] s[j·ss] for i < M: Aᵀ s for one column of four channels. */
static inline __attribute__((always_inline)) void at_column(const int A, const int M, const float *at, const float *s,
                                                             int ss, float *y, int ys) {
  const int P = (A - 2) / 2;
  v128_t sum[4], diff[4];
  for (int k = 1; k <= P; k++) {
    const v128_t a = wasm_v128_load(s + (2 * k - 1) * ss), b = wasm_v128_load(s + 2 * k * ss);
    sum[k - 1] = wasm_f32x4_add(a, b);
    diff[k - 1] = wasm_f32x4_sub(a, b);
  }
  v128_t y0 = wasm_v128_load(s);
  for (int k = 0; k < P; k++) y0 = wasm_f32x4_add(y0, sum[k]);
  wasm_v128_store(y, y0);
  for (int i = 1; i < M; i++) {
    const v128_t *pair = (i & 1) ? diff : sum;
    v128_t acc = pair[0]; /* the first pair is ±1 */
    for (int k = 1; k < P; k++) MAC(acc, SPLAT(at + i * A + 2 * k + 1), pair[k]);
    if (i == M - 1) acc = wasm_f32x4_add(acc, wasm_v128_load(s + (A - 1) * ss));
    wasm_v128_store(y + i * ys, acc);
  }
}

/*
 * One tile's outputs Aᵀ M A (+ bias) from mm[ξ][·] (consecutive ξ ms floats apart), written to
 * out (rows os_r, pixels os_p floats apart) where they fall inside the image: `rows` × `cols` of
 * the M×M block, `co` channels. A is α, M is m, both compile-time constants after inlining.
 */
static inline __attribute__((always_inline)) void output_tile(const int A, const int M, const float *mm, int ms,
                                                               const float *at, const float *bias, float *out,
                                                               int os_r, int os_p, int rows, int cols, int co) {
  for (int q = 0; q < co; q += 4) {
    float t[6 * 8 * 4], y[6 * 6 * 4]; /* Aᵀ M [m][α], then Aᵀ M A [m][m], of four channels */
    const v128_t b = bias ? load_strided(bias + q, 1, co - q) : wasm_f32x4_splat(0);
    if (A == 8 && M == 4) {
      for (int j = 0; j < A; j++) at8x4_column(mm + j * ms + q, A * ms, K(-0.f), t + 4 * j, 4 * A);
      if (rows >= M && cols >= M && co - q >= 4) { /* a whole block: straight into out */
        for (int i = 0; i < M; i++) at8x4_column(t + 4 * A * i, 4, b, out + i * os_r + q, os_p);
        continue;
      }
      for (int i = 0; i < M; i++) at8x4_column(t + 4 * A * i, 4, wasm_f32x4_splat(0), y + 4 * M * i, 4);
    } else {
      for (int j = 0; j < A; j++) at_column(A, M, at, mm + j * ms + q, A * ms, t + 4 * j, 4 * A);
      for (int i = 0; i < M; i++) at_column(A, M, at, t + 4 * A * i, 4, y + 4 * M * i, 4);
    }
    for (int i = 0; i < rows && i < M; i++)
      for (int l = 0; l < cols && l < M; l++)
        store_lanes(out + i * os_r + l * os_p + q, wasm_f32x4_add(b, wasm_v128_load(y + 4 * (M * i + l))), co - q);
  }
}

/* mm [rows][cop] = v [rows][cp] · u [cp][cop]; rows a multiple of MR, cp and cop of 4. */
static void products(const float *v, const float *u, float *mm, int rows, int cp, int cop) {
  int o = 0;
  for (; o + 8 <= cop; o += 8)
    for (int t = 0; t < rows; t += MR) {
      v128_t acc[MR][2];
      for (int i = 0; i < MR; i++) acc[i][0] = acc[i][1] = wasm_f32x4_splat(0);
      const float *vr = v + t * cp;
      for (int c = 0; c < cp; c++) {
        const v128_t b0 = wasm_v128_load(u + c * cop + o), b1 = wasm_v128_load(u + c * cop + o + 4);
        for (int i = 0; i < MR; i++) {
          const v128_t a = wasm_v128_load32_splat(vr + i * cp + c);
          acc[i][0] = wasm_f32x4_add(acc[i][0], wasm_f32x4_mul(a, b0));
          acc[i][1] = wasm_f32x4_add(acc[i][1], wasm_f32x4_mul(a, b1));
        }
      }
      for (int i = 0; i < MR; i++) {
        wasm_v128_store(mm + (t + i) * cop + o, acc[i][0]);
        wasm_v128_store(mm + (t + i) * cop + o + 4, acc[i][1]);
      }
    }
  if (o < cop)
    for (int t = 0; t < rows; t += MR) {
      v128_t acc[MR];
      for (int i = 0; i < MR; i++) acc[i] = wasm_f32x4_splat(0);
      const float *vr = v + t * cp;
      for (int c = 0; c < cp; c++) {
        const v128_t b0 = wasm_v128_load(u + c * cop + o);
        for (int i = 0; i < MR; i++)
          acc[i] = wasm_f32x4_add(acc[i], wasm_f32x4_mul(wasm_v128_load32_splat(vr + i * cp + c), b0));
      }
      for (int i = 0; i < MR; i++) wasm_v128_store(mm + (t + i) * cop + o, acc[i]);
    }
}

/* Padded input [n][hp][wp][cp] of winograd_conv: hp, wp cover every tile. */
static inline int padded_h(int oh, int alpha, int m) { return (oh + m - 1) / m * m + alpha - m; }

/*
 * xp [n][hp][wp][cp] = x shifted by (pt, pl), zero outside the image and in the padding
 * channels: every tile then reads whole, aligned four-channel vectors.
 */
static void pad_input(const float *x, int n, int h, int w, int c, int pt, int pl, float *xp, int hp, int wp) {
  const int cp = round4(c);
  const v128_t zero = wasm_f32x4_splat(0);
  for (int b = 0; b < n; b++)
    for (int y = 0; y < hp; y++) {
      float *row = xp + (b * hp + y) * wp * cp;
      const int sy = y - pt;
      int x0 = 0;
      if (sy >= 0 && sy < h) {
        const float *src = x + (b * h + sy) * w * c;
        x0 = pl > 0 ? pl : 0;
        const int x1 = w + pl < wp ? w + pl : wp;
        for (int xx = 0; xx < x0; xx++)
          for (int ci = 0; ci < cp; ci += 4) wasm_v128_store(row + xx * cp + ci, zero);
        if (c == cp) {
          const float *from = src + (x0 - pl) * c;
          float *to = row + x0 * cp;
          const int count = (x1 - x0) * c;
          for (int i = 0; i < count; i += 4) wasm_v128_store(to + i, wasm_v128_load(from + i));
        } else
          for (int xx = x0; xx < x1; xx++) {
            const float *p = src + (xx - pl) * c;
            float *to = row + xx * cp;
            int ci = 0;
            for (; ci < c; ci++) to[ci] = p[ci];
            for (; ci < cp; ci++) to[ci] = 0;
          }
        x0 = x1 > x0 ? x1 : x0;
      }
      for (int i = x0 * cp; i < wp * cp; i += 4) wasm_v128_store(row + i, zero);
    }
}

/* The convolution for one (α, m); see winograd_conv. */
static inline __attribute__((always_inline)) void conv(const int A, const int M, const float *x, int n, int h, int w,
                                                        int c, int oh, int ow, int pt, int pl, const float *u, int co,
                                                        const float *bias, float *out, const float *bt,
                                                        const float *at, int block, float *scratch) {
  const int cp = round4(c), cop = round4(co);
  const int th = (oh + M - 1) / M, tw = (ow + M - 1) / M, tiles = n * th * tw;
  const int hp = padded_h(oh, A, M), wp = padded_h(ow, A, M);
  /* [α²][block][cp] and [α²][block][cop], a cache line more between consecutive ξ: a tile's α²
   * values at a power-of-two stride would all fall in one set of the L1 cache */
  const int vs = block * cp + 16, ms = block * cop + 16;
  float *v = scratch;
  float *mm = v + A * A * vs;
  float *xp = mm + A * A * ms;
  pad_input(x, n, h, w, c, pt, pl, xp, hp, wp);
  for (int t0 = 0; t0 < tiles; t0 += block) {
    const int count = tiles - t0 < block ? tiles - t0 : block;
    const int rows = (count + MR - 1) / MR * MR;
    for (int t = 0; t < count; t++) {
      const int tile = t0 + t, b = tile / (th * tw), ty = tile / tw % th, tx = tile % tw;
      input_tile(A, xp + ((b * hp + ty * M) * wp + tx * M) * cp, wp * cp, cp, cp, bt, v + t * cp, vs);
    }
    for (int k = 0; k < A * A; k++)
      for (int t = count; t < rows; t++)
        for (int ci = 0; ci < cp; ci += 4) wasm_v128_store(v + k * vs + t * cp + ci, wasm_f32x4_splat(0));
    for (int k = 0; k < A * A; k++)
      products(v + k * vs, u + k * cp * cop, mm + k * ms, rows, cp, cop);
    for (int t = 0; t < count; t++) {
      const int tile = t0 + t, b = tile / (th * tw), ty = tile / tw % th, tx = tile % tw;
      const int oy = ty * M, ox = tx * M;
      output_tile(A, M, mm + t * cop, ms, at, bias, out + ((b * oh + oy) * ow + ox) * co, ow * co, co,
                  oh - oy, ow - ox, co);
    }
  }
}

/* Floats of scratch winograd_conv needs (for those arguments). */
EXPORT("winograd_scratch")
int winograd_scratch(int n, int c, int co, int oh, int ow, int alpha, int m, int block) {
  return alpha * alpha * (block * (round4(c) + round4(co)) + 32) +
         n * padded_h(oh, alpha, m) * padded_h(ow, alpha, m) * round4(c);
}

/*
 * out [n, oh, ow, co] (+ bias [co] unless null) = the stride-1 correlation of x [n, h, w, c] with
 * an r×r filter whose transform u [α²][cp][cop] winograd_filter wrote, the filter's top-left tap
 * over input (oy − pt, ox − pl) for output (oy, ox); input outside the image reads as 0 (any
 * padding, negative too). bt [α×α] and at [m×α] are the F(m, r) transforms, α = m + r − 1, one of
 * F(2, 3), F(4, 3), F(6, 3), F(2, 5), F(4, 5) at points 0, ±1, ±p…, ∞ (winogradTransforms'
 * default order; for α = 8 bt is not read, nor at for F(4, 5)); nothing is written for another pair. `block` (a multiple of 4) tiles are
 * transformed at a time; scratch holds winograd_scratch(…) floats.
 */
EXPORT("winograd_conv")
void winograd_conv(const float *x, int n, int h, int w, int c, int oh, int ow, int pt, int pl, const float *u, int co,
                   const float *bias, float *out, const float *bt, const float *at, int alpha, int m, int block,
                   float *scratch) {
#define CONV(A, M) conv(A, M, x, n, h, w, c, oh, ow, pt, pl, u, co, bias, out, bt, at, block, scratch)
  switch (alpha * 16 + m) {
  case 4 * 16 + 2: CONV(4, 2); break;
  case 6 * 16 + 4: CONV(6, 4); break;
  case 8 * 16 + 6: CONV(8, 6); break;
  case 6 * 16 + 2: CONV(6, 2); break;
  case 8 * 16 + 4: CONV(8, 4); break;
  default: break;
  }
#undef CONV
}
