import { createRng, mixSeed } from "../rng.ts";
import type { ParameterSpec, Params } from "../types.ts";
import { type GridSpace, gridSpace } from "./grid-space.ts";
import type { SampleContext, Sampler } from "./sampler.ts";

export interface GridSamplerOptions {
  /**
   * "shuffled" (default): trial i gets combination π(i) of a permutation seeded by spec.seed, so a
   * budget smaller than the grid still spreads over the whole grid. "plain": trial i gets
   * combination i (nested-loop order, the first parameter varying slowest).
   */
  readonly order?: "shuffled" | "plain";
}

/**
 * Enumerates every combination of the (finite) parameter supports once; conditional parameters
 * appear only where active. Trial `index` maps to one combination; undefined once index ≥ the
 * grid size (exhausted). Stateless: the space is rebuilt (and cached per spec object) on demand.
 */
export class GridSampler implements Sampler {
  readonly name = "grid";
  readonly #order: "shuffled" | "plain";
  readonly #cache = new WeakMap<object, GridSpace>();

  constructor(options: GridSamplerOptions = {}) {
    this.#order = options.order ?? "shuffled";
  }

  sample(ctx: SampleContext): Params | undefined {
    const space = this.#space(ctx.spec.parameters);
    if (!Number.isFinite(space.size)) throw new RangeError("GridSampler: a continuous parameter cannot be enumerated");
    if (ctx.index < 0 || ctx.index >= space.size) return undefined;
    const i = this.#order === "plain" ? ctx.index : permuteIndex(ctx.index, space.size, ctx.spec.seed);
    return space.at(i);
  }

  #space(parameters: Readonly<Record<string, ParameterSpec>>): GridSpace {
    let space = this.#cache.get(parameters);
    if (!space) {
      space = gridSpace(parameters);
      this.#cache.set(parameters, space);
    }
    return space;
  }
}

/**
 * A seeded bijection of [0, n): a 4-round Feistel network over the smallest even bit width that
 * covers n, with cycle walking to stay inside [0, n). O(1) memory, any index on its own.
 */
export function permuteIndex(index: number, n: number, seed: number): number {
  if (n <= 1) return index;
  const bits = Math.max(2, Math.ceil(Math.log2(n)));
  const half = Math.ceil(bits / 2);
  const mask = (1 << half) - 1;
  const rng = createRng(mixSeed(seed, "grid-permutation"));
  const keys = [rng.uint32(), rng.uint32(), rng.uint32(), rng.uint32()];
  const round = (x: number, key: number): number => {
    let h = Math.imul(x ^ key, 0x9e3779b1);
    h ^= h >>> 15;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    return h & mask;
  };
  let y = index;
  do {
    let l = y >>> half;
    let r = y & mask;
    for (const key of keys) {
      const t = l ^ round(r, key);
      l = r;
      r = t;
    }
    y = (l << half) | r;
  } while (y >= n);
  return y;
}
