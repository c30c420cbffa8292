import { createRng, mixSeed, type Rng } from "../rng.ts";
import type { ParameterSpec, Params, ParamValue } from "../types.ts";
import { activeParams } from "./active-params.ts";
import { fromUnit } from "./sample-distribution.ts";
import type { SampleContext, Sampler } from "./sampler.ts";

const PRIMES = [
  2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101, 103, 107, 109,
  113, 127, 131,
];

/** Digit permutations of one dimension: perms[level][digit], levels until base^-level < 2^-52. */
type Scramble = readonly Uint16Array[];

function scrambles(dims: number, seed: number): Scramble[] {
  const rng: Rng = createRng(mixSeed(seed, "halton"));
  return Array.from({ length: dims }, (_, d) => {
    const base = PRIMES[d % PRIMES.length] as number;
    const levels = Math.ceil(52 / Math.log2(base));
    return Array.from({ length: levels }, () => {
      const perm = Uint16Array.from({ length: base }, (_, i) => i);
      for (let i = base - 1; i > 0; i--) {
        const j = rng.int(0, i);
        const t = perm[i] as number;
        perm[i] = perm[j] as number;
        perm[j] = t;
      }
      return perm;
    });
  });
}

/** The scrambled radical inverse of `index` in `base`, in [0, 1). */
export function scrambledRadicalInverse(index: number, base: number, perms: Scramble): number {
  let u = 0;
  let f = 1 / base;
  let n = index;
  // Every level is permuted, including the zero digits above the index's highest digit, so the
  // point is randomised to full precision (random digit scrambling, Owen-lite).
  for (const perm of perms) {
    u += (perm[n % base] as number) * f;
    n = Math.floor(n / base);
    f /= base;
  }
  return Math.min(u, 1 - Number.EPSILON);
}

/**
 * Scrambled Halton sequence: trial i is point i of a low-discrepancy sequence in [0,1)^d (one
 * prime base per parameter, in spec order; digits permuted per level with a generator seeded by
 * spec.seed), mapped through each distribution's inverse CDF. Covers the space more evenly than
 * random search for small budgets; ctx.rng is not used. More than 32 parameters reuse bases with
 * other permutations. Inactive conditional parameters are dropped.
 */
export class QuasiRandomSampler implements Sampler {
  readonly name = "quasi_random";
  readonly #cache = new WeakMap<object, { readonly seed: number; readonly perms: Scramble[] }>();

  sample(ctx: SampleContext): Params {
    const names = Object.keys(ctx.spec.parameters);
    const key = ctx.spec.parameters;
    let cached = this.#cache.get(key);
    if (cached?.seed !== ctx.spec.seed) {
      cached = { seed: ctx.spec.seed, perms: scrambles(names.length, ctx.spec.seed) };
      this.#cache.set(key, cached);
    }
    const perms = cached.perms;
    const values: Record<string, ParamValue> = {};
    names.forEach((name, d) => {
      const u = scrambledRadicalInverse(ctx.index, PRIMES[d % PRIMES.length] as number, perms[d] as Scramble);
      values[name] = fromUnit((ctx.spec.parameters[name] as ParameterSpec).distribution, u);
    });
    return activeParams(ctx.spec.parameters, values);
  }
}
