import { createRng, HpoError, type Rng } from "@hpo/core";
import type { Dataset } from "./dataset.ts";
import { addingProblem } from "./sequences.ts";

/** Options of the synthetic generators. */
export interface SyntheticOptions {
  /** Number of rows; default 1000. */
  readonly size?: number;
  /** Seed of the generator; default 0. */
  readonly seed?: number;
  /** Gaussian noise standard deviation; defaults per generator (spirals 0.2, moons 0.1, regression 0.1). */
  readonly noise?: number;
}

export const SYNTHETIC_NAMES = ["spirals", "moons", "regression", "adding"] as const;
export type SyntheticName = (typeof SYNTHETIC_NAMES)[number];

function checkSize(size: number): void {
  if (!Number.isInteger(size) || size < 4 || size > 10_000_000) {
    throw new HpoError("INVALID_DATASET", `synthetic dataset: size must be an integer in [4, 10000000], got ${size}`);
  }
}

/**
 * `size` rows of 2 features and 2 classes taking turns (row i is class i % 2): `point` draws each
 * row's features from the seeded generator.
 */
function twoClasses(
  name: string,
  size: number,
  seed: number,
  point: (cls: number, rng: Rng) => readonly [number, number],
): Dataset {
  checkSize(size);
  const rng = createRng(seed);
  const xs = new Float32Array(size * 2);
  const ys = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const cls = i % 2;
    [xs[2 * i], xs[2 * i + 1]] = point(cls, rng);
    ys[i] = cls;
  }
  return {
    name,
    task: "classification",
    features: xs,
    labels: ys,
    classes: ["0", "1"],
    nRows: size,
    nFeatures: 2,
    featureNames: ["x0", "x1"],
    categorical: [],
    ignored: [],
  };
}

/** Two interleaved spirals (2 features, 2 classes), half the rows each. */
export function twoSpirals({ size = 1000, seed = 0, noise = 0.2 }: SyntheticOptions = {}): Dataset {
  return twoClasses("spirals", size, seed, (cls, rng) => {
    const t = Math.sqrt(rng.next()) * 3 * Math.PI;
    const sign = cls === 0 ? 1 : -1;
    return [
      (sign * t * Math.cos(t)) / Math.PI + noise * rng.normal(),
      (sign * t * Math.sin(t)) / Math.PI + noise * rng.normal(),
    ];
  });
}

/** Two interleaving half circles (2 features, 2 classes), as in scikit-learn's make_moons. */
export function moons({ size = 1000, seed = 0, noise = 0.1 }: SyntheticOptions = {}): Dataset {
  return twoClasses("moons", size, seed, (cls, rng) => {
    const a = rng.next() * Math.PI;
    return [
      (cls === 0 ? Math.cos(a) : 1 - Math.cos(a)) + noise * rng.normal(),
      (cls === 0 ? Math.sin(a) : 0.5 - Math.sin(a)) + noise * rng.normal(),
    ];
  });
}

/** A noisy smooth regression target of 8 uniform features: y = Σ w_j sin(x_j) + 0.5 x0 x1 + noise. */
export function noisyRegression({ size = 1000, seed = 0, noise = 0.1 }: SyntheticOptions = {}): Dataset {
  checkSize(size);
  const nFeatures = 8;
  const rng = createRng(seed);
  const weights = Array.from({ length: nFeatures }, (_, j) => (j % 2 === 0 ? 1 : -0.5) * (1 + j / nFeatures));
  const xs = new Float32Array(size * nFeatures);
  const ys = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    let y = 0;
    for (let j = 0; j < nFeatures; j++) {
      const x = rng.next() * 4 - 2;
      xs[i * nFeatures + j] = x;
      y += (weights[j] as number) * Math.sin(x);
    }
    y += 0.5 * (xs[i * nFeatures] as number) * (xs[i * nFeatures + 1] as number);
    ys[i] = y + noise * rng.normal();
  }
  const featureNames = Array.from({ length: nFeatures }, (_, j) => `x${j}`);
  return {
    name: "regression",
    task: "regression",
    features: xs,
    labels: ys,
    classes: [],
    nRows: size,
    nFeatures,
    featureNames,
    categorical: [],
    ignored: [],
  };
}

/** Sizes of a synthetic dataset given beside its name (`dataset.rows`, `dataset.timesteps`). */
export interface SyntheticSizes {
  /** Rows, unless the name gives a size; default 1000. */
  readonly rows?: number;
  /** Timesteps of a sequence dataset (`adding`); default DEFAULT_TIMESTEPS. */
  readonly timesteps?: number;
}

/**
 * Parses a synthetic dataset name: `spirals`, `moons`, `regression` or the sequence dataset
 * `adding` (see sequences.ts), optionally with a size and a seed: `moons:5000`, `spirals:2000:7`.
 * Returns undefined when the base name is not synthetic.
 * @throws HpoError("INVALID_DATASET") for a malformed size or seed.
 */
export function syntheticDataset(name: string, sizes: SyntheticSizes = {}): Dataset | undefined {
  const [base, sizeText, seedText, ...rest] = name.split(":");
  if (!SYNTHETIC_NAMES.includes(base as SyntheticName)) return undefined;
  const num = (text: string | undefined, what: string): number | undefined => {
    if (text === undefined) return undefined;
    if (!/^\d+$/.test(text))
      throw new HpoError(
        "INVALID_DATASET",
        `synthetic dataset "${name}": ${what} must be a non-negative integer, got "${text}"`,
      );
    return Number(text);
  };
  if (rest.length > 0)
    throw new HpoError("INVALID_DATASET", `synthetic dataset "${name}": expected ${base}[:size[:seed]]`);
  const opts = { size: num(sizeText, "size") ?? sizes.rows, seed: num(seedText, "seed") };
  const clean = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) as SyntheticOptions;
  const data =
    base === "spirals"
      ? twoSpirals(clean)
      : base === "moons"
        ? moons(clean)
        : base === "adding"
          ? addingProblem({ ...clean, ...(sizes.timesteps !== undefined && { timesteps: sizes.timesteps }) })
          : noisyRegression(clean);
  return { ...data, name };
}
