import type { Rng } from "../rng.ts";
import type { Estimator } from "./estimator.ts";
import { normalMass } from "./normal-math.ts";
import { type NumericalDomain, observationWeight, pickKernel } from "./parzen-estimator.ts";

/** One dimension of a joint Parzen estimator: numerical (in TPE space) or categorical (indices). */
export type JointDimension =
  | { readonly kind: "numerical"; readonly domain: NumericalDomain }
  | { readonly kind: "categorical"; readonly choices: number };

/** Optuna's multivariate bandwidth factor: σ = 0.2 · n^(−1/(D+4)) · (high − low). */
const SIGMA0 = 0.2;

/**
 * A joint Parzen estimator over several dimensions, as Optuna's multivariate TPE (Falkner et al.
 * 2018): kernel i is the product over dimensions of a truncated Gaussian at observation i
 * (σ = 0.2·n^(−1/(D+4))·(high−low) for every kernel of a dimension, Scott's rule, magic-clipped to
 * [(high−low)/min(100, n+2), high−low]) or, for categorical dimensions, mass 1 + ε on the
 * observed category and ε elsewhere (ε = priorWeight/(n+1)); plus a prior kernel (centre,
 * σ = high−low; uniform over categories). Kernels weigh observationWeight(i, n), the prior
 * `priorWeight`. `columns[d][i]` is observation i of dimension d (oldest first).
 *
 * Cost: O(n·D) per density, so it is meant for the (small) good set and for histories up to a
 * few thousand trials; univariate TPE stays the default.
 */
export class MultivariateParzen implements Estimator<number[]> {
  readonly #dims: readonly JointDimension[];
  readonly #n: number;
  /** Kernel means per dimension; the prior is kernel n. */
  readonly #mu: readonly Float64Array[];
  /** Per numerical dimension: one σ for the observation kernels, and log Z of each kernel. */
  readonly #sigma: Float64Array;
  readonly #logZ: readonly Float64Array[];
  readonly #logWeight: Float64Array;
  readonly #cumWeight: Float64Array;
  /** Per categorical dimension: log p of the observed category and of any other one. */
  readonly #logHit: number;
  readonly #logMiss: number;

  constructor(dims: readonly JointDimension[], columns: readonly Float64Array[], priorWeight = 1) {
    this.#dims = dims;
    const n = columns[0]?.length ?? 0;
    this.#n = n;
    const k = n + 1;
    const bandwidth = SIGMA0 * Math.max(n, 1) ** (-1 / (dims.length + 4));
    this.#sigma = new Float64Array(dims.length);
    this.#mu = dims.map((d, j) => {
      const mu = new Float64Array(k);
      mu.set(columns[j] as Float64Array);
      if (d.kind === "numerical") mu[n] = (d.domain.low + d.domain.high) / 2;
      return mu;
    });
    this.#logZ = dims.map((d, j) => {
      const logZ = new Float64Array(k);
      if (d.kind !== "numerical") return logZ;
      const { low, high } = d.domain;
      const range = high - low;
      const s = Math.min(range, Math.max(range / Math.min(100, n + 2), bandwidth * range));
      this.#sigma[j] = s;
      const mu = this.#mu[j] as Float64Array;
      for (let i = 0; i < k; i++) {
        const sig = i === n ? range : s;
        const m = mu[i] as number;
        logZ[i] = Math.log(normalMass((low - m) / sig, (high - m) / sig));
      }
      return logZ;
    });
    const eps = priorWeight / k;
    this.#logWeight = new Float64Array(k);
    this.#cumWeight = new Float64Array(k);
    let total = priorWeight;
    for (let i = 0; i < n; i++) total += observationWeight(i, n);
    let acc = 0;
    for (let i = 0; i < k; i++) {
      const w = (i === n ? priorWeight : observationWeight(i, n)) / total;
      this.#logWeight[i] = Math.log(w);
      acc += w;
      this.#cumWeight[i] = acc;
    }
    // Categorical kernels: (1 + ε) on the observed category, ε elsewhere, normalised per choice count
    // at use (the normaliser depends on the number of choices of the dimension).
    this.#logHit = Math.log(1 + eps);
    this.#logMiss = Math.log(eps);
  }

  #sigmaOf(j: number, i: number): number {
    const d = this.#dims[j] as Extract<JointDimension, { kind: "numerical" }>;
    return i === this.#n ? d.domain.high - d.domain.low : (this.#sigma[j] as number);
  }

  /** A joint draw: pick a kernel by weight, then each dimension from that kernel (snapped to its support). */
  sample(rng: Rng): number[] {
    const i = pickKernel(this.#cumWeight, rng.next());
    return this.#dims.map((d, j) => {
      const m = (this.#mu[j] as Float64Array)[i] as number;
      if (d.kind === "categorical") {
        if (i === this.#n) return Math.min(d.choices - 1, Math.floor(rng.next() * d.choices));
        const hit = Math.exp(this.#logHit);
        const miss = Math.exp(this.#logMiss);
        let v = rng.next() * (hit + miss * (d.choices - 1));
        for (let c = 0; c < d.choices; c++) {
          v -= c === m ? hit : miss;
          if (v < 0) return c;
        }
        return d.choices - 1;
      }
      const { low, high } = d.domain;
      const s = this.#sigmaOf(j, i);
      let x = Number.NaN;
      for (let tries = 0; tries < 100 && Number.isNaN(x); tries++) {
        const y = m + s * rng.normal();
        if (y >= low && y <= high) x = y;
      }
      if (Number.isNaN(x)) x = low + rng.next() * (high - low);
      return snap(d.domain, x);
    });
  }

  /**
   * log of the joint density at x (continuous dimensions: density × √(2π) per dimension, the same
   * constant for every estimator over these dimensions, so log-ratios are exact; discrete
   * dimensions: the probability mass of the support point).
   */
  logDensity(x: readonly number[]): number {
    const k = this.#n + 1;
    const terms = Float64Array.from(this.#logWeight);
    this.#dims.forEach((d, j) => {
      const mu = this.#mu[j] as Float64Array;
      const xj = x[j] as number;
      if (d.kind === "categorical") {
        const norm = Math.log(Math.exp(this.#logHit) + Math.exp(this.#logMiss) * (d.choices - 1));
        for (let i = 0; i < this.#n; i++)
          terms[i] = (terms[i] as number) + (mu[i] === xj ? this.#logHit : this.#logMiss) - norm;
        terms[this.#n] = (terms[this.#n] as number) - Math.log(d.choices);
        return;
      }
      const logZ = this.#logZ[j] as Float64Array;
      const half = d.domain.step / 2;
      for (let i = 0; i < k; i++) {
        const s = this.#sigmaOf(j, i);
        const m = mu[i] as number;
        let lp: number;
        if (half > 0) lp = Math.log(normalMass((xj - half - m) / s, (xj + half - m) / s));
        else {
          const z = (xj - m) / s;
          lp = -0.5 * z * z - Math.log(s);
        }
        terms[i] = (terms[i] as number) + lp - (logZ[i] as number);
      }
    });
    let max = Number.NEGATIVE_INFINITY;
    for (const t of terms) if (t > max) max = t;
    if (max === Number.NEGATIVE_INFINITY) return max;
    let sum = 0;
    for (const t of terms) sum += Math.exp(t - max);
    return max + Math.log(sum);
  }
}

function snap(d: NumericalDomain, x: number): number {
  if (d.step === 0) return Math.min(d.high, Math.max(d.low, x));
  const k = Math.min(d.steps, Math.max(0, Math.round((x - d.first) / d.step)));
  return d.first + k * d.step;
}
