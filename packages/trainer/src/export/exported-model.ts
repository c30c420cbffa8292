import type { CvSpec, DatasetSpec, ModelSpec, Params } from "@hpo/core";
import type { CategoricalEncoding, NumericEncoding } from "../fold-encoder.ts";

/**
 * What a model needs besides its weights to score raw CSV rows (`preprocessing.json` of an
 * export): how each column becomes inputs (fitted on the refit's training rows), the scaling of
 * those inputs, the label and its classes. `hpo predict` and the refit's own test scoring both
 * read rows through it, so they see the same inputs.
 */
export interface Preprocessing {
  readonly task: "classification" | "regression";
  /** Label column header (`label` for datasets that have none); optional in files to predict. */
  readonly label: string;
  /** Class names in output order (classification); empty for regression. */
  readonly classes: readonly string[];
  /** Numeric columns: median for a missing cell, and whether a 0/1 "was missing" input follows. */
  readonly numeric: readonly NumericEncoding[];
  /** Categorical columns: one-hot categories, "other" and "missing" inputs. */
  readonly categorical: readonly CategoricalEncoding[];
  /** Cells read as missing. */
  readonly missing: readonly string[];
  /** Input names in model order. */
  readonly inputs: readonly string[];
  /** Per input: (x − mean) / std. */
  readonly mean: readonly number[];
  readonly std: readonly number[];
  /** Regression: the target's mean and std over the training rows (what `standardized_target` undoes). */
  readonly target?: { readonly mean: number; readonly std: number };
  /**
   * What the model outputs: class logits (apply softmax for probabilities) or probabilities (a
   * model module's softmax layer); a standardized target, (y − mean) / std, or the target itself
   * (a model module that trains on y).
   */
  readonly outputs: "logits" | "probabilities" | "standardized_target" | "target";
}

/** `model-card.json` of an export: what the model is and how well it did. */
export interface ModelCard {
  readonly hpoVersion: string;
  /** Absent for a program trial (the program trains with whatever it likes). */
  readonly tfjsVersion?: string;
  /** TensorFlow.js backend the refit trained (and scored) on; `program` for a program trial. */
  readonly backend: string;
  readonly sweepId: string;
  readonly trialId: string;
  /** The trial's parameters (the config) and the model defaults of the sweep. */
  readonly params: Params;
  readonly model: ModelSpec;
  readonly metric: { readonly name: string; readonly goal: string };
  /** The trial's K-fold score (what the sweep selected on), with its confidence interval when the sweep has one. */
  readonly selection?: {
    readonly mean: number;
    readonly std: number;
    /** Fold scores the mean is over (R × K with `cv.repeats`). */
    readonly folds: number;
    /** Corrected resampled-t 95 % confidence interval of `mean` (docs/statistics.md). */
    readonly ci95?: readonly [number, number];
    /** Not distinguishable from the sweep's best at α = 0.05. */
    readonly tiedWithBest?: boolean;
  };
  /** The sweep metric of this model on the test split (absent without `cv.test_fraction`). */
  readonly test?: { readonly score: number; readonly rows: number; readonly metrics: Readonly<Record<string, number>> };
  /** Absent for a program sweep that names no dataset. */
  readonly dataset?: {
    readonly spec: DatasetSpec;
    /** SHA-256 of the dataset file's bytes (built-in datasets too); absent for synthetic ones. */
    readonly sha256?: string;
    readonly rows: number;
    readonly trainRows: number;
    readonly testRows: number;
  };
  readonly refit: {
    readonly seed: number;
    /** Epochs trained; a program's refit: the last step it reported (0 when none). */
    readonly epochs: number;
    /** Rows early stopping watched (an inner split of the training rows), 0 when off. */
    readonly innerRows: number;
  };
  /** A program trial's refit run (docs/CONTRACTS.md "Program refit"). */
  readonly program?: {
    readonly path: string;
    /** What was run (never through a shell). */
    readonly argv: readonly string[];
    /** The last value of each metric the run reported (figures on its own training rows). */
    readonly metrics: Readonly<Record<string, number>>;
    readonly durationMs: number;
    /** The files of its HPO_OUTPUT_DIR in the export, and their total size. */
    readonly files: number;
    readonly bytes: number;
  };
  readonly cv: CvSpec;
  readonly createdAt: string;
}

/**
 * An export as the coordinator stores it and the API returns it: a TensorFlow.js model's files
 * (`ModelExportFiles`), or what a program's refit run wrote (`ProgramExportFiles`).
 */
export type ExportFiles = ModelExportFiles | ProgramExportFiles;

/**
 * A refit model as files: `model.json` (TensorFlow.js layers format, weights manifest pointing at
 * `weights.bin`), `weights.bin` (base64 here), `preprocessing.json`, `model-card.json`.
 * `hpo export` writes each entry to a file of that name.
 */
export interface ModelExportFiles {
  readonly "model.json": Readonly<Record<string, unknown>>;
  /** base64 of the little-endian float32 weights, in manifest order. */
  readonly "weights.bin": string;
  readonly "preprocessing.json": Preprocessing;
  readonly "model-card.json": ModelCard;
}

/**
 * A program trial's export: every file its refit run left in HPO_OUTPUT_DIR (relative path →
 * base64 of the bytes), and `model-card.json`. `hpo export` writes each file under `--out` at
 * its relative path, then the card.
 */
export interface ProgramExportFiles {
  readonly files: Readonly<Record<string, string>>;
  readonly "model-card.json": ModelCard;
}

/** File names of a model export (`ModelExportFiles`), in the order they are written. */
export const EXPORT_FILE_NAMES = ["model.json", "weights.bin", "preprocessing.json", "model-card.json"] as const;
