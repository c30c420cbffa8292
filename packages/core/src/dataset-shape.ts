import type { DatasetSpec } from "./types.ts";

/** Size of a dataset as the trainer sees it (what memory estimates and layer lists need). */
export interface DatasetShape {
  readonly rows: number;
  readonly features: number;
  /** Model outputs: classes for classification, 1 for regression. */
  readonly outputs: number;
  /** [height, width, channels] when the rows are images (what a layer list's conv2d sees). */
  readonly image?: readonly [number, number, number];
  /** [timesteps, features] when the rows are sequences (what a layer list's recurrent layers see). */
  readonly sequence?: readonly [number, number];
}

/** Built-in datasets whose rows are images; `dataset.images` applies to these. */
export const IMAGE_DATASETS: readonly string[] = ["fashion_mnist"];

/** Synthetic sequence datasets (name[:size[:seed]] and `dataset.timesteps`): features per timestep and task. */
export const SEQUENCE_DATASETS: Readonly<
  Record<string, { readonly features: number; readonly task: "classification" | "regression" }>
> = {
  adding: { features: 2, task: "regression" },
};

/** Timesteps of a sequence dataset when `dataset.timesteps` is not given. */
export const DEFAULT_TIMESTEPS = 50;

/** Training images of Fashion-MNIST (Debian's dataset-fashion-mnist: train-images-idx3-ubyte.gz). */
export const FASHION_MNIST_TRAIN_IMAGES = 60_000;

/**
 * Shapes of the built-in datasets (packages/trainer/datasets; a trainer test checks these against
 * the loaded files) and of the synthetic generators (packages/trainer/src/datasets/synthetic.ts).
 */
const BUILTIN: Readonly<Record<string, DatasetShape>> = {
  iris: { rows: 150, features: 4, outputs: 3 },
  wine: { rows: 178, features: 13, outputs: 3 },
  digits: { rows: 1797, features: 64, outputs: 10, image: [8, 8, 1] },
};
const SYNTHETIC: Readonly<Record<string, Omit<DatasetShape, "rows">>> = {
  spirals: { features: 2, outputs: 2 },
  moons: { features: 2, outputs: 2 },
  regression: { features: 8, outputs: 1 },
};
/** Synthetic datasets (generated on the worker; `dataset.rows` sizes them). */
export const SYNTHETIC_DATASETS: readonly string[] = [...Object.keys(SYNTHETIC), ...Object.keys(SEQUENCE_DATASETS)];

/** Rows of a synthetic dataset named without a size (`moons`) nor `dataset.rows`. */
const SYNTHETIC_DEFAULT_ROWS = 1000;

/**
 * The shape of a built-in or synthetic dataset (`moons:5000:7` has 5,000 rows); undefined for a
 * CSV file (`path`) or an unknown name, whose shape only a worker can know.
 */
export function datasetShapeOf(spec: DatasetSpec | undefined): DatasetShape | undefined {
  if (spec?.name === undefined) return undefined;
  if (spec.name === "fashion_mnist")
    return {
      rows: Math.min(spec.images ?? FASHION_MNIST_TRAIN_IMAGES, FASHION_MNIST_TRAIN_IMAGES),
      features: 784,
      outputs: 10,
      image: [28, 28, 1],
    };
  const builtin = BUILTIN[spec.name];
  if (builtin) return builtin;
  const [base = "", size] = spec.name.split(":");
  const rows = size === undefined || size === "" ? (spec.rows ?? SYNTHETIC_DEFAULT_ROWS) : Number(size);
  if (!Number.isInteger(rows) || rows <= 0) return undefined;
  const sequence = SEQUENCE_DATASETS[base];
  if (sequence) {
    const T = spec.timesteps ?? DEFAULT_TIMESTEPS;
    return {
      rows,
      features: T * sequence.features,
      outputs: sequence.task === "regression" ? 1 : 2,
      sequence: [T, sequence.features],
    };
  }
  const synthetic = SYNTHETIC[base];
  return synthetic ? { rows, ...synthetic } : undefined;
}
