/**
 * Datasets without TensorFlow.js (`@hpo/trainer/datasets`): what the coordinator needs to check a
 * sweep's CSV file at submit time, without loading a tfjs backend.
 */
export { checkDataset, type DatasetSummary } from "./check-dataset.ts";
export { type CsvOptions, parseCsvDataset } from "./csv-loader.ts";
export type { CategoricalColumn, Dataset } from "./dataset.ts";
export { FASHION_MNIST_DIR, loadFashionMnist } from "./fashion-mnist.ts";
export { MAX_IDX_BYTES, parseIdx, readIdxFile } from "./idx-loader.ts";
export {
  BUILTIN_DATASETS,
  clearDatasetCache,
  type LoadDatasetOptions,
  loadDataset,
  MAX_CSV_BYTES,
} from "./load-dataset.ts";
export { resolveDataPath } from "./resolve-data-path.ts";
