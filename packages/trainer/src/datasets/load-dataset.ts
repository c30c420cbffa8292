import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { type DatasetSpec, HpoError } from "@hpo/core";
import { trainerPackageDir } from "../trainer-package.ts";
import { parseCsvDataset } from "./csv-loader.ts";
import type { Dataset } from "./dataset.ts";
import { loadFashionMnist } from "./fashion-mnist.ts";
import { resolveDataPath } from "./resolve-data-path.ts";
import { syntheticDataset } from "./synthetic.ts";

/** Built-in datasets shipped in packages/trainer/datasets (see its README for attribution). */
export const BUILTIN_DATASETS = ["iris", "wine", "digits"] as const;

/** Largest CSV file accepted, in bytes. */
export const MAX_CSV_BYTES = 512 * 1024 * 1024;

/** Options of `loadDataset`. */
export interface LoadDatasetOptions {
  /** Directories a `spec.path` may point into; default: none (paths are refused). */
  readonly dataDirs?: readonly string[];
}

/** Parsed datasets kept per process (the most recently used first out of the map's order). */
const cache = new Map<string, Dataset>();
/** Datasets kept at once: a sweep's trials reuse one; a few sweeps in turn each keep theirs. */
const CACHE_ENTRIES = 4;

/**
 * The file a dataset spec names (a built-in CSV, or `spec.path` resolved inside `opts.dataDirs`;
 * undefined for a synthetic dataset) and its display name.
 * @throws HpoError("INVALID_DATASET") when neither or both of name and path are given, or the path is not allowed.
 */
export function datasetFile(
  spec: DatasetSpec,
  opts: LoadDatasetOptions = {},
): { readonly file: string | undefined; readonly display: string } {
  const hasName = spec.name !== undefined && spec.name !== "";
  const hasPath = spec.path !== undefined && spec.path !== "";
  if (hasName === hasPath) throw new HpoError("INVALID_DATASET", "dataset: give exactly one of name or path");
  if (hasName) {
    const display = spec.name as string;
    const builtin = (BUILTIN_DATASETS as readonly string[]).includes(display);
    return { file: builtin ? join(trainerPackageDir(), "datasets", `${display}.csv`) : undefined, display };
  }
  const display = spec.path as string;
  return { file: resolveDataPath(display, opts.dataDirs ?? []), display };
}

/**
 * Loads a dataset: a built-in one by name (iris, wine, digits; `fashion_mnist` from Debian's
 * dataset-fashion-mnist files, its first `spec.images` training images), a synthetic one by name
 * (`spirals`, `moons`, `regression`, the sequences `adding` of `spec.timesteps`; `spec.rows` of
 * them, or `name:size:seed`), or a CSV file confined to
 * `dataDirs` (typed by `spec.columns`, with `spec.missing` tokens). A file is parsed once and
 * kept while its size and modification time stay the same (keyed by resolved path, size, mtime and
 * the options that change the parse), so the trials of a sweep on one worker thread share one
 * parse; the last CACHE_ENTRIES datasets are kept.
 * @throws HpoError("INVALID_DATASET") for unknown names, confinement violations and malformed files.
 */
export function loadDataset(spec: DatasetSpec, opts: LoadDatasetOptions = {}): Dataset {
  const { file, display } = datasetFile(spec, opts);
  const byName = spec.path === undefined || spec.path === "";
  const stat = file === undefined ? undefined : statSync(file);
  const key = JSON.stringify([
    file ?? display,
    stat?.size,
    stat?.mtimeMs,
    spec.label ?? null,
    spec.task,
    spec.columns ?? null,
    spec.missing ?? null,
    spec.images ?? null,
    spec.rows ?? null,
    spec.timesteps ?? null,
  ]);
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  let data: Dataset;
  if (display === "fashion_mnist" && byName) {
    data = loadFashionMnist(spec.images);
  } else if (file === undefined) {
    const synthetic = syntheticDataset(display, {
      ...(spec.rows !== undefined && { rows: spec.rows }),
      ...(spec.timesteps !== undefined && { timesteps: spec.timesteps }),
    });
    if (!synthetic) {
      throw new HpoError(
        "INVALID_DATASET",
        `dataset "${display}": unknown name; built-in: ${BUILTIN_DATASETS.join(", ")}, fashion_mnist; synthetic: spirals, moons, regression, adding (optionally name:size:seed)`,
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
    const size = (stat as { size: number }).size;
    if (size > MAX_CSV_BYTES)
      throw new HpoError(
        "INVALID_DATASET",
        `dataset "${display}": file is ${size} bytes, more than the limit of ${MAX_CSV_BYTES}`,
      );
    data = parseCsvDataset(readFileSync(file, "utf8"), {
      name: display,
      task: spec.task,
      ...(spec.label !== undefined && { label: spec.label }),
      ...(spec.columns && { columns: spec.columns }),
      ...(spec.missing && { missing: spec.missing }),
    });
    // digits: 8×8 grey images, one pixel per column (what a layer list's conv2d sees)
    if (byName && display === "digits") data = { ...data, image: [8, 8, 1] };
  }
  cache.set(key, data);
  for (const old of cache.keys()) {
    if (cache.size <= CACHE_ENTRIES) break;
    cache.delete(old);
  }
  return data;
}

/** Empties the per-process dataset cache (tests, or after data files change). */
export function clearDatasetCache(): void {
  cache.clear();
}
