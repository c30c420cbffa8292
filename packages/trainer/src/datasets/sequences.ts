import { createRng, DEFAULT_TIMESTEPS, HpoError } from "@hpo/core";
import type { Dataset } from "./dataset.ts";

/** Options of the synthetic sequence generators. */
export interface SequenceOptions {
  /** Number of sequences; default 1000. */
  readonly size?: number;
  /** Seed of the generator; default 0. */
  readonly seed?: number;
  /** Timesteps per sequence; default 50. */
  readonly timesteps?: number;
}

/**
 * The adding problem (Hochreiter & Schmidhuber 1997; Le et al. 2015), a regression on sequences
 * [timesteps, 2]: at each step a value drawn from U(0, 1) and a marker, 1 at exactly two steps
 * (one in the first half, one in the second half) and 0 elsewhere; the target is the sum of the
 * two marked values. Predicting the mean (1) gives a mean squared error of 1/6; the first marked
 * value lies on average 3T/4 steps before the end, which is what a plain RNN cannot carry.
 */
export function addingProblem({ size = 1000, seed = 0, timesteps = DEFAULT_TIMESTEPS }: SequenceOptions = {}): Dataset {
  if (!Number.isInteger(size) || size < 4 || size > 1_000_000)
    throw new HpoError("INVALID_DATASET", `adding: size must be an integer in [4, 1000000], got ${size}`);
  if (!Number.isInteger(timesteps) || timesteps < 2 || timesteps > 1000)
    throw new HpoError("INVALID_DATASET", `adding: timesteps must be an integer in [2, 1000], got ${timesteps}`);
  const rng = createRng(seed);
  const T = timesteps;
  const half = Math.floor(T / 2);
  const xs = new Float32Array(size * T * 2);
  const ys = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const a = Math.floor(rng.next() * half);
    const b = half + Math.floor(rng.next() * (T - half));
    for (let t = 0; t < T; t++) xs[(i * T + t) * 2] = rng.next();
    xs[(i * T + a) * 2 + 1] = 1;
    xs[(i * T + b) * 2 + 1] = 1;
    ys[i] = (xs[(i * T + a) * 2] as number) + (xs[(i * T + b) * 2] as number);
  }
  return {
    name: "adding",
    task: "regression",
    features: xs,
    labels: ys,
    classes: [],
    nRows: size,
    nFeatures: T * 2,
    featureNames: Array.from({ length: T * 2 }, (_, j) => `${j % 2 === 0 ? "value" : "marker"}_${Math.floor(j / 2)}`),
    categorical: [],
    ignored: [],
    sequence: [T, 2],
  };
}
