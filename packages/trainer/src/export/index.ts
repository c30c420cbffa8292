/**
 * Exported models (`@hpo/trainer/export`): the refit of one config on every row outside the test
 * split, its files (TensorFlow.js layers model, preprocessing, model card), and scoring CSV files
 * with them (`hpo predict`).
 */
export {
  EXPORT_FILE_NAMES,
  type ExportFiles,
  type ModelCard,
  type ModelExportFiles,
  type Preprocessing,
  type ProgramExportFiles,
} from "./exported-model.ts";
export {
  type CsvPredictions,
  csvRowsFor,
  type ExportDir,
  predictCsv,
  predictRows,
  readExportDir,
} from "./predict-csv.ts";
export { idxRowsFor } from "./predict-idx.ts";
export { loadModelFromFiles, type RefitOptions, type RefitResult, refitTrial } from "./refit.ts";
export { encodeForModel, modelOutputs, type Prediction, predictionsOf, scoreOutputs } from "./scoring.ts";
