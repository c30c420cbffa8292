import type { Rng } from "../rng.ts";
import type { Estimator } from "./estimator.ts";
import { normalMass } from "./normal-math.ts";

/**
 * Optuna's default observation weights: all 1 below 25 observations; beyond, the 25 newest
 * weigh 1 and older ones ramp linearly from 1/n up to 1 (observations in trial order).
 */
export function observationWeight(i: number, n: number): number {
  if (n < 25) return 1;
  const ramp = n - 25;
  if (i >= ramp) return 1;
  return ramp === 1 ? 1 / n : 1 / n + (i * (1 - 1 / n)) / (ramp - 1);
}

/** Bounds of a numerical search dimension in the space where TPE works (log for log params). */
export interface NumericalDomain {
  /** Lower and upper bound of the support (for discrete ones, widened by half a step). */
  readonly low: number;
  readonly high: number;
  /** Discrete step (int 1, q_uniform q) or 0 for continuous dimensions. */
  readonly step: number;
  /** First support point (discrete only). */
  readonly first: number;
  /** Number of support points − 1 (discrete only). */
  readonly steps: number;
}

const WINDOW = 8.5; // exp(-8.5²/2) ≈ 2e-16: kernels farther away than this many σ add nothing.
/** Above this many narrow kernels, their density is summed over a binned grid (see below). */
const BIN_ABOVE = 256;
/** Grid spacing of the binned narrow kernels, in units of their σ. */
const BIN_WIDTH = 0.125;
/** Discrete steps at most this many minimum σ are summed as densities × step. */
const FINE_STEP = 0.25;
const SQRT_2PI = Math.sqrt(2 * Math.PI);

/**
 * The kernel a uniform draw `u` ∈ [0, 1) picks: the first index whose cumulative weight exceeds
 * `u` (binary search over `cumWeight`, the normalised running sum of the kernel weights).
 */
export function pickKernel(cumWeight: ArrayLike<number>, u: number): number {
  let lo = 0;
  let hi = cumWeight.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((cumWeight[mid] as number) > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Indices of `xs` sorted by value (ties in index order): an LSD radix sort over 32-bit keys
 * quantised on [low, high] (values closer than (high−low)/2^32 may swap; irrelevant here).
 */
export function argsort(xs: Float64Array, low: number, high: number): Uint32Array {
  const n = xs.length;
  const scale = 4294967295 / (high - low || 1);
  let keys = new Uint32Array(n);
  let idx = new Uint32Array(n);
  // One pass fills the four byte histograms.
  const hist = new Uint32Array(1024);
  for (let i = 0; i < n; i++) {
    const k = Math.min(4294967295, Math.max(0, Math.floor(((xs[i] as number) - low) * scale))) >>> 0;
    keys[i] = k;
    idx[i] = i;
    hist[k & 255]!++;
    hist[256 + ((k >>> 8) & 255)]!++;
    hist[512 + ((k >>> 16) & 255)]!++;
    hist[768 + (k >>> 24)]!++;
  }
  let keys2 = new Uint32Array(n);
  let idx2 = new Uint32Array(n);
  for (let pass = 0; pass < 4; pass++) {
    const base = pass * 256;
    const shift = pass * 8;
    let sum = 0;
    for (let b = base; b < base + 256; b++) {
      const c = hist[b] as number;
      hist[b] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const k = keys[i] as number;
      const b = base + ((k >>> shift) & 255);
      const pos = hist[b] as number;
      hist[b] = pos + 1;
      keys2[pos] = k;
      idx2[pos] = idx[i] as number;
    }
    const tk = keys;
    keys = keys2;
    keys2 = tk;
    const ti = idx;
    idx = idx2;
    idx2 = ti;
  }
  return idx;
}

/**
 * Indices of `xs` sorted by value when every value is a support point of a discrete domain with
 * at most 65,536 points: a counting sort by support index (stable). Undefined otherwise.
 */
export function supportOrder(xs: Float64Array, d: NumericalDomain): Uint32Array | undefined {
  const points = d.steps + 1;
  if (points > 65536) return undefined;
  const n = xs.length;
  const ks = new Uint32Array(n);
  const count = new Uint32Array(points + 1);
  for (let i = 0; i < n; i++) {
    const t = ((xs[i] as number) - d.first) / d.step;
    const k = Math.round(t);
    if (k < 0 || k >= points || Math.abs(t - k) > 1e-6) return undefined;
    ks[i] = k;
    count[k + 1]!++;
  }
  for (let k = 1; k <= points; k++) count[k]! += count[k - 1] as number;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const k = ks[i] as number;
    order[count[k] as number] = i;
    count[k]!++;
  }
  return order;
}

/**
 * Optuna's kernel σ of each observation (the larger gap to its neighbours in sorted order, only
 * the inner gap for the first and last; ties in index order, as a stable sort leaves them),
 * clipped to [minSigma, high − low] — without sorting. Buckets of width minSigma (at most 100)
 * suffice: a neighbour inside the same bucket is closer than minSigma, so only a bucket's
 * extreme values (min, max, and which index comes first among ties) need their outer neighbour.
 */
export function bucketSigmas(
  xs: Float64Array,
  low: number,
  high: number,
  minSigma: number,
  considerEndpoints = false,
): Float64Array {
  const n = xs.length;
  const range = high - low;
  const out = new Float64Array(n);
  if (n === 0) return out;
  const buckets = Math.max(1, Math.ceil(range / minSigma));
  const bmin = new Float64Array(buckets).fill(Number.POSITIVE_INFINITY);
  const bmax = new Float64Array(buckets).fill(Number.NEGATIVE_INFINITY);
  const minIdx = new Int32Array(buckets).fill(-1); // first index among values equal to the bucket min
  const maxIdx = new Int32Array(buckets).fill(-1); // last index among values equal to the bucket max
  const bucketOf = (x: number) => Math.min(buckets - 1, Math.max(0, Math.floor((x - low) / minSigma)));
  for (let i = 0; i < n; i++) {
    const x = xs[i] as number;
    const b = bucketOf(x);
    if (x < (bmin[b] as number)) {
      bmin[b] = x;
      minIdx[b] = i;
    }
    if (x >= (bmax[b] as number)) {
      bmax[b] = x;
      maxIdx[b] = i;
    }
  }
  // Nearest non-empty bucket's max to the left and min to the right of each bucket.
  const prevMax = new Float64Array(buckets);
  const nextMin = new Float64Array(buckets);
  let last = Number.NaN;
  for (let b = 0; b < buckets; b++) {
    prevMax[b] = last;
    if (minIdx[b] !== -1) last = bmax[b] as number;
  }
  last = Number.NaN;
  for (let b = buckets - 1; b >= 0; b--) {
    nextMin[b] = last;
    if (minIdx[b] !== -1) last = bmin[b] as number;
  }
  for (let i = 0; i < n; i++) {
    const x = xs[i] as number;
    const b = bucketOf(x);
    const first = minIdx[b] === i; // first in sorted order within its bucket
    const lastInBucket = maxIdx[b] === i;
    const isFirst = first && Number.isNaN(prevMax[b] as number);
    const isLast = lastInBucket && Number.isNaN(nextMin[b] as number);
    // Gaps to neighbours inside the bucket are < minSigma: count them as 0 (the clip decides).
    const left = first ? (isFirst ? x - low : x - (prevMax[b] as number)) : 0;
    const right = lastInBucket ? (isLast ? high - x : (nextMin[b] as number) - x) : 0;
    let s: number;
    if (n >= 2 && isFirst && !considerEndpoints) s = right;
    else if (n >= 2 && isLast && !considerEndpoints) s = left;
    else s = Math.max(left, right);
    out[i] = Math.min(range, Math.max(minSigma, s));
  }
  return out;
}

/**
 * A univariate Parzen estimator over a numerical dimension, as Optuna's TPE (univariate, prior,
 * magic clip): one truncated Gaussian per observation, σ = the larger gap to its sorted
 * neighbours clipped to [(high−low)/min(100, n+1), high−low], plus a prior Gaussian at the centre
 * with σ = high−low. Kernels with equal μ and σ are merged. Without `considerEndpoints` (Optuna's
 * default) the lowest and highest observation use only their inner gap; with it, the gap to the
 * bound counts too (wider kernels at the edges of the history).
 *
 * Speed: kernels clipped to the minimum σ ("narrow", most of them once n is large) share one σ,
 * so they are kept sorted and a density sum only visits those within 8.5σ of x; past 256 of them
 * on a continuous dimension their weights are spread onto a grid of spacing σ/8 (linear binning,
 * density error well under 1%), which makes a density O(1) in the number of trials.
 */
export class NumericalParzen implements Estimator<number> {
  readonly #d: NumericalDomain;
  // Narrow kernels (σ = minSigma), sorted by μ (or grid points when binned); coef = w/(σZ) or w/Z.
  readonly #narrowMu: Float64Array;
  readonly #narrowCoef: Float64Array;
  readonly #minSigma: number;
  /** Half a step when masses are computed exactly (coarse discrete dimensions), else 0. */
  readonly #half: number;
  // Binned narrow kernels: coefficient of grid point g is #grid[g] at #gridStart + g·#gridStep.
  readonly #grid: Float64Array | undefined;
  readonly #gridStart: number;
  readonly #gridStep: number;
  // Wide kernels (and the prior), evaluated always.
  readonly #wideMu: Float64Array;
  readonly #wideSigma: Float64Array;
  readonly #wideCoef: Float64Array;
  // For sampling: every kernel with its normalised cumulative weight.
  readonly #allMu: Float64Array;
  readonly #allSigma: Float64Array;
  readonly #cumWeight: Float64Array;

  /** `xs` are observations in the TPE space, oldest first; `priorWeight` defaults to 1. */
  constructor(domain: NumericalDomain, xs: Float64Array, priorWeight = 1, considerEndpoints = false) {
    this.#d = domain;
    const { low, high } = domain;
    const n = xs.length;
    const range = high - low;
    const minSigma = range / Math.min(100, 1 + n);
    this.#minSigma = minSigma;
    // A step far below every kernel's σ: the mass of a point is density × step (no erfc needed).
    this.#half = domain.step > 0 && domain.step > FINE_STEP * minSigma ? domain.step / 2 : 0;
    const mu = new Float64Array(n + 1);
    const sigma = new Float64Array(n + 1);
    const weight = new Float64Array(n + 1);
    let k = 0;
    // Many observations, densities only needed through the binned grid: no sort (see bucketSigmas).
    const fast = n > BIN_ABOVE && this.#half === 0;
    if (fast) {
      const sig = bucketSigmas(xs, low, high, minSigma, considerEndpoints);
      for (let i = 0; i < n; i++) {
        mu[i] = xs[i] as number;
        sigma[i] = sig[i] as number;
        weight[i] = observationWeight(i, n);
      }
      k = n;
    } else {
      const order = (domain.step > 0 ? supportOrder(xs, domain) : undefined) ?? argsort(xs, low, high);
      for (let r = 0; r < n; r++) {
        const i = order[r] as number;
        const x = xs[i] as number;
        const left = r === 0 ? low : (xs[order[r - 1] as number] as number);
        const right = r === n - 1 ? high : (xs[order[r + 1] as number] as number);
        let s: number;
        if (n >= 2 && r === 0 && !considerEndpoints) s = right - x;
        else if (n >= 2 && r === n - 1 && !considerEndpoints) s = x - left;
        else s = Math.max(x - left, right - x);
        s = Math.min(range, Math.max(minSigma, s));
        const w = observationWeight(i, n);
        if (k > 0 && mu[k - 1] === x && sigma[k - 1] === s) weight[k - 1] = (weight[k - 1] as number) + w;
        else {
          mu[k] = x;
          sigma[k] = s;
          weight[k] = w;
          k++;
        }
      }
    }
    mu[k] = (low + high) / 2;
    sigma[k] = range;
    weight[k] = priorWeight;
    k++;
    let total = 0;
    for (let j = 0; j < k; j++) total += weight[j] as number;

    this.#allMu = mu.subarray(0, k);
    this.#allSigma = sigma.subarray(0, k);
    this.#cumWeight = new Float64Array(k);
    const coef = new Float64Array(k);
    let acc = 0;
    let narrow = 0;
    for (let j = 0; j < k; j++) {
      const m = mu[j] as number;
      const s = sigma[j] as number;
      const w = (weight[j] as number) / total;
      acc += w;
      this.#cumWeight[j] = acc;
      const a = (low - m) / s;
      const b = (high - m) / s;
      const z = a < -WINDOW && b > WINDOW ? 1 : normalMass(a, b);
      coef[j] = domain.step === 0 ? w / (s * z) : this.#half === 0 ? (w * domain.step) / (s * z * SQRT_2PI) : w / z;
      if (s === minSigma && j < k - 1) narrow++;
    }
    const narrowMu = new Float64Array(narrow);
    const narrowCoef = new Float64Array(narrow);
    const wide = k - narrow;
    this.#wideMu = new Float64Array(wide);
    this.#wideSigma = new Float64Array(wide);
    this.#wideCoef = new Float64Array(wide);
    let a = 0;
    let b = 0;
    for (let j = 0; j < k; j++) {
      if (sigma[j] === minSigma && j < k - 1) {
        narrowMu[a] = mu[j] as number;
        narrowCoef[a++] = coef[j] as number;
      } else {
        this.#wideMu[b] = mu[j] as number;
        this.#wideSigma[b] = sigma[j] as number;
        this.#wideCoef[b++] = coef[j] as number;
      }
    }
    this.#narrowMu = narrowMu;
    this.#narrowCoef = narrowCoef;
    this.#gridStep = minSigma * BIN_WIDTH;
    this.#gridStart = low;
    if (this.#half === 0 && (fast || narrow > BIN_ABOVE)) {
      const cells = Math.ceil(range / this.#gridStep) + 2;
      const grid = new Float64Array(cells);
      for (let j = 0; j < narrow; j++) {
        const t = ((narrowMu[j] as number) - low) / this.#gridStep;
        const g = Math.min(cells - 2, Math.max(0, Math.floor(t)));
        const f = t - g;
        grid[g] = (grid[g] as number) + (narrowCoef[j] as number) * (1 - f);
        grid[g + 1] = (grid[g + 1] as number) + (narrowCoef[j] as number) * f;
      }
      this.#grid = grid;
    } else this.#grid = undefined;
  }

  /** A draw: pick a kernel by weight, draw from its Gaussian truncated to [low, high], snap to the support. */
  sample(rng: Rng): number {
    const i = pickKernel(this.#cumWeight, rng.next());
    const m = this.#allMu[i] as number;
    const s = this.#allSigma[i] as number;
    const { low, high } = this.#d;
    let x = Number.NaN;
    for (let tries = 0; tries < 100; tries++) {
      const y = m + s * rng.normal();
      if (y >= low && y <= high) {
        x = y;
        break;
      }
    }
    if (Number.isNaN(x)) x = low + rng.next() * (high - low);
    return this.snap(x);
  }

  /** The support point nearest to x (identity for continuous dimensions). */
  snap(x: number): number {
    const d = this.#d;
    if (d.step === 0) return Math.min(d.high, Math.max(d.low, x));
    const k = Math.min(d.steps, Math.max(0, Math.round((x - d.first) / d.step)));
    return d.first + k * d.step;
  }

  /**
   * Continuous dimensions: the density at x times √(2π) (the same factor for every estimator, so
   * ratios are exact). Discrete ones: the probability of support point x, Σ w·P(x ± step/2)/Z,
   * or density × step when the step is below a quarter of the smallest σ.
   */
  density(x: number): number {
    const half = this.#half;
    const s = this.#minSigma;
    let sum = 0;
    if (this.#grid) {
      const grid = this.#grid;
      const reach = Math.ceil(WINDOW / BIN_WIDTH);
      const centre = Math.round((x - this.#gridStart) / this.#gridStep);
      const from = Math.max(0, centre - reach);
      const to = Math.min(grid.length - 1, centre + reach);
      for (let g = from; g <= to; g++) {
        const c = grid[g] as number;
        if (c === 0) continue;
        const z = (x - (this.#gridStart + g * this.#gridStep)) / s;
        sum += c * Math.exp(-0.5 * z * z);
      }
    } else {
      const narrowMu = this.#narrowMu;
      const narrowCoef = this.#narrowCoef;
      const reach = half + WINDOW * s;
      let lo = 0;
      let hi = narrowMu.length;
      const from = x - reach;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if ((narrowMu[mid] as number) < from) lo = mid + 1;
        else hi = mid;
      }
      const to = x + reach;
      for (let j = lo; j < narrowMu.length; j++) {
        const m = narrowMu[j] as number;
        if (m > to) break;
        if (half === 0) {
          const z = (x - m) / s;
          sum += (narrowCoef[j] as number) * Math.exp(-0.5 * z * z);
        } else sum += (narrowCoef[j] as number) * normalMass((x - half - m) / s, (x + half - m) / s);
      }
    }
    for (let j = 0; j < this.#wideMu.length; j++) {
      const ws = this.#wideSigma[j] as number;
      const m = this.#wideMu[j] as number;
      if (half === 0) {
        const z = (x - m) / ws;
        sum += (this.#wideCoef[j] as number) * Math.exp(-0.5 * z * z);
      } else sum += (this.#wideCoef[j] as number) * normalMass((x - half - m) / ws, (x + half - m) / ws);
    }
    return sum;
  }

  /** log of `density(x)`. */
  logDensity(x: number): number {
    return Math.log(this.density(x));
  }
}

/**
 * Optuna's categorical Parzen estimator: each observation is a kernel putting mass 1 + ε on its
 * category and ε on every other (ε = priorWeight/(n+1)), plus a uniform prior kernel; kernels
 * weighted by observationWeight. `obs` holds category indices, oldest first. With `prior` (W&B's
 * `probabilities`, summing to 1), every category's mass is scaled by choices · prior[c] and then
 * renormalised, so the prior kernel is `prior` and a category of prior 0 has mass 0.
 */
export class CategoricalParzen implements Estimator<number> {
  readonly #p: Float64Array;
  readonly #cum: Float64Array;

  constructor(choices: number, obs: Uint32Array, priorWeight = 1, prior?: readonly number[]) {
    const n = obs.length;
    const counts = new Float64Array(choices);
    let wObs = 0;
    for (let i = 0; i < n; i++) {
      const w = observationWeight(i, n);
      counts[obs[i] as number] = (counts[obs[i] as number] as number) + w;
      wObs += w;
    }
    const total = wObs + priorWeight;
    const eps = priorWeight / (n + 1);
    this.#p = new Float64Array(choices);
    this.#cum = new Float64Array(choices);
    let acc = 0;
    for (let c = 0; c < choices; c++) {
      let p = ((eps * wObs + (counts[c] as number)) / (eps * choices + 1) + priorWeight / choices) / total;
      if (prior) p *= choices * (prior[c] as number);
      this.#p[c] = p;
      acc += p;
      this.#cum[c] = acc;
    }
    if (prior && acc > 0) {
      for (let c = 0; c < choices; c++) {
        this.#p[c] = (this.#p[c] as number) / acc;
        this.#cum[c] = (this.#cum[c] as number) / acc;
      }
    }
  }

  probability(c: number): number {
    return this.#p[c] as number;
  }

  /** log of `probability(c)`. */
  logDensity(c: number): number {
    return Math.log(this.probability(c));
  }

  sample(rng: Rng): number {
    const u = rng.next() * (this.#cum[this.#cum.length - 1] as number);
    for (let c = 0; c < this.#cum.length; c++) if ((this.#cum[c] as number) > u) return c;
    return this.#cum.length - 1;
  }
}
