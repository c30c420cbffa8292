import type { DatasetSpec } from "./types.ts";

/** Size of a dataset as the trainer sees it (what memory estimates and layer lists need). */
export interface DatasetShape {
  readonly rows: number;
  readonly features: number;
  /** Model outputs: classes for classification, 1 for regression. */
  readonly outputs: number;
  /** [height, width, channels] when the rows are images (what a layer list's conv2d sees). */
  readonly image?: readonly [number, number, number];
}

/** Built-in datasets whose rows are images; `dataset.images` applies to these. */
export const IMAGE_DATASETS: readonly string[] = ["fashion_mnist"];

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
/** Rows of a synthetic dataset named without a size (`moons`). */
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
  const synthetic = SYNTHETIC[base];
  if (!synthetic) return undefined;
  const rows = size === undefined || size === "" ? SYNTHETIC_DEFAULT_ROWS : Number(size);
  return Number.isInteger(rows) && rows > 0 ? { rows, ...synthetic } : undefined;
}
