import { readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type DatasetSpec, HpoError } from "@hpo/core";
import { parseCsvDataset } from "./csv-loader.ts";
import type { Dataset } from "./dataset.ts";
import { resolveDataPath } from "./resolve-data-path.ts";
import { syntheticDataset } from "./synthetic.ts";

/** Built-in datasets shipped in packages/trainer/datasets (see its README for attribution). */
export const BUILTIN_DATASETS = ["iris", "wine", "digits"] as const;

const BUILTIN_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "datasets");

/** Largest CSV file accepted, in bytes. */
export const MAX_CSV_BYTES = 512 * 1024 * 1024;

/** Options of `loadDataset`. */
export interface LoadDatasetOptions {
  /** Directories a `spec.path` may point into; default: none (paths are refused). */
  readonly dataDirs?: readonly string[];
}

const cache = new Map<string, Dataset>();

/**
 * Loads a dataset: a built-in one by name (iris, wine, digits), a synthetic one by name
 * (`spirals`, `moons`, `regression`, optionally `name:size:seed`), or a CSV file confined to
 * `dataDirs`. Results are cached per process (keyed by the spec and resolved path).
 * @throws HpoError("INVALID_DATASET") for unknown names, confinement violations and malformed files.
 */
export function loadDataset(spec: DatasetSpec, opts: LoadDatasetOptions = {}): Dataset {
  const hasName = spec.name !== undefined && spec.name !== "";
  const hasPath = spec.path !== undefined && spec.path !== "";
  if (hasName === hasPath) throw new HpoError("INVALID_DATASET", "dataset: give exactly one of name or path");
  let file: string | undefined;
  let display: string;
  if (hasName) {
    display = spec.name as string;
    if ((BUILTIN_DATASETS as readonly string[]).includes(display)) file = join(BUILTIN_DIR, `${display}.csv`);
  } else {
    display = spec.path as string;
    file = resolveDataPath(display, opts.dataDirs ?? []);
  }
  const key = JSON.stringify([file ?? display, spec.label ?? null, spec.task]);
  const hit = cache.get(key);
  if (hit) return hit;
  let data: Dataset;
  if (file === undefined) {
    const synthetic = syntheticDataset(display);
    if (!synthetic) {
      throw new HpoError(
        "INVALID_DATASET",
        `dataset "${display}": unknown name; built-in: ${BUILTIN_DATASETS.join(", ")}; synthetic: spirals, moons, regression (optionally name:size:seed)`,
      );
    }
    if (synthetic.task !== spec.task) {
      throw new HpoError(
        "INVALID_DATASET",
        `dataset "${display}" is a ${synthetic.task} dataset, but dataset.task is ${spec.task}`,
      );
    }
    data = synthetic;
  } else {
    const size = statSync(file).size;
    if (size > MAX_CSV_BYTES)
      throw new HpoError(
        "INVALID_DATASET",
        `dataset "${display}": file is ${size} bytes, more than the limit of ${MAX_CSV_BYTES}`,
      );
    data = parseCsvDataset(readFileSync(file, "utf8"), { name: display, label: spec.label, task: spec.task });
  }
  cache.set(key, data);
  return data;
}

/** Empties the per-process dataset cache (tests, or after data files change). */
export function clearDatasetCache(): void {
  cache.clear();
}
