/**
 * hpo's helper for training programs in JavaScript or TypeScript: one file, no dependencies
 * (Node's standard library only), types in hpo.d.ts. Copy it next to your program or import
 * `@hpo/program-kit` inside the hpo repository.
 *
 * hpo runs a program once per fold of each trial; the same API as the Python helper
 * (../python/hpo.py), in JavaScript spelling:
 * - `params(defaults)`: the trial's parameters (`HPO_PARAMS`, JSON; nested parameters are nested
 *   objects) merged over `defaults`.
 * - `fold()` / `folds()`: this process's fold (0-based) and the number of folds.
 * - `outputDir()`: a directory for this fold's files, kept with the trial.
 * - `report(step, metrics)`: one line of hpo's protocol on stdout,
 *   `{"hpo":{"step":3,"val_accuracy":0.91}}`. A fold's score is the last value reported for the
 *   sweep's metric; every metric reported is stored and plotted. Writes to a pipe are
 *   asynchronous in Node: end the program by returning (or set `process.exitCode`), not with
 *   `process.exit()` right after a report, which can cut the last lines.
 * - `kfoldIndices(n, labels, fold)`: `{ train, validation }` row indices of a fold, exactly the
 *   split hpo's built-in K-fold makes for the sweep's `cv.seed` and `cv.stratified`.
 * Outside hpo (no `HPO_FOLD`) the sweep defaults apply: fold 0 of 5, seed 0, stratified, no
 * parameters, the current directory as output.
 *
 * Why the split is written out here a second time instead of imported: this file must run on its
 * own in a user's project, so it cannot import @hpo/core; and @hpo/core cannot import it (core is
 * pure TypeScript that the dashboard bundles, and a core → program-kit dependency would invert the
 * layering). So packages/core/src/kfold.ts (with rng.ts and class-labels.ts) stays the one
 * reference inside the repo, and this file and the Python helper are checked against it, fold by
 * fold, in test/program-kit/kfold-parity.test.ts. Change the three together.
 */
import { mkdirSync } from "node:fs";

const DEFAULT_FOLDS = 5;

function envInt(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  if (!/^[+-]?\d+$/.test(raw.trim()))
    throw new Error(`hpo: environment variable ${name} must be an integer, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

const isPlainObject = (v) => typeof v === "object" && v !== null && !Array.isArray(v);

function merge(base, over) {
  const out = { ...base };
  for (const [key, value] of Object.entries(over)) {
    out[key] = isPlainObject(value) && isPlainObject(out[key]) ? merge(out[key], value) : value;
  }
  return out;
}

/**
 * The trial's parameters (`HPO_PARAMS`) merged over `defaults` (nested objects merge too).
 * @throws Error when `HPO_PARAMS` is not a JSON object.
 */
export function params(defaults = {}) {
  const raw = process.env.HPO_PARAMS;
  let given = {};
  if (raw) {
    try {
      given = JSON.parse(raw);
    } catch (e) {
      throw new Error(`hpo: HPO_PARAMS is not valid JSON: ${e.message}`);
    }
    if (!isPlainObject(given)) throw new Error(`hpo: HPO_PARAMS must be a JSON object, got ${raw.slice(0, 60)}`);
  }
  return merge(defaults, given);
}

/**
 * True in a trial's refit run (`HPO_REFIT=1`, `hpo export`): one run on every row, whose
 * HPO_OUTPUT_DIR is the export; `kfoldIndices` then gives every row as training and validation.
 */
export function refit() {
  return process.env.HPO_REFIT === "1";
}

/** This process's fold, 0-based (`HPO_FOLD`; 0 outside hpo). */
export function fold() {
  return envInt("HPO_FOLD", 0);
}

/** The number of folds of the trial (`HPO_FOLDS`; 5 outside hpo). */
export function folds() {
  return envInt("HPO_FOLDS", DEFAULT_FOLDS);
}

/** A directory for this fold's files (`HPO_OUTPUT_DIR`, created if missing; "." outside hpo). */
export function outputDir() {
  const path = process.env.HPO_OUTPUT_DIR || ".";
  mkdirSync(path, { recursive: true });
  return path;
}

/**
 * Writes one protocol line to stdout: `{"hpo":{"step":step,...metrics}}`.
 * @throws Error naming the problem: a step that is not a non-negative integer, no metric, an
 *         empty name, a name "step", or a value that is not a finite number.
 */
export function report(step, metrics) {
  if (!Number.isInteger(step) || step < 0)
    throw new Error(`hpo.report: step must be a non-negative integer, got ${String(step)}`);
  const entries = Object.entries(metrics ?? {});
  if (entries.length === 0) throw new Error(`hpo.report: step ${step} has no metrics`);
  const line = { step };
  for (const [name, value] of entries) {
    if (name === "" || name === "step")
      throw new Error(`hpo.report: step ${step}: metric name ${JSON.stringify(name)} is not allowed`);
    if (typeof value !== "number" || !Number.isFinite(value))
      throw new Error(`hpo.report: step ${step}: metric "${name}" must be a finite number, got ${String(value)}`);
    line[name] = value;
  }
  process.stdout.write(`${JSON.stringify({ hpo: line })}\n`);
}

// ---- K-fold split, bit-exact with packages/core/src/kfold.ts, rng.ts and class-labels.ts ----

/** mulberry32, as core's createRng: an integer in [min, max]. */
function createRng(seed) {
  let state = seed >>> 0;
  const uint32 = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return (min, max) => min + Math.floor((uint32() / 4294967296) * (max - min + 1));
}

function shuffled(items, int) {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = int(0, i);
    const tmp = out[i];
    out[i] = out[j];
    out[j] = tmp;
  }
  return out;
}

const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(Infinity|inf)$/i;

function labelValue(label) {
  if (typeof label === "number") return label;
  const t = label.trim();
  if (!NUMERIC.test(t)) return undefined;
  if (/inf/i.test(t)) return t.startsWith("-") ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  return Number(t);
}

/** Class order: numbers (and numeric strings) by value, then text by UTF-16 code units. */
function compareLabels(a, b) {
  const x = labelValue(a);
  const y = labelValue(b);
  if (x !== undefined && y !== undefined) return x < y ? -1 : x > y ? 1 : 0;
  if (x !== undefined) return -1;
  if (y !== undefined) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function assign(n, k, seed, labels) {
  const int = createRng(seed);
  const assignment = new Array(n);
  if (!labels) {
    shuffled([...Array(n).keys()], int).forEach((row, j) => {
      assignment[row] = j % k;
    });
    return assignment;
  }
  const byClass = new Map();
  labels.forEach((label, i) => {
    if (typeof label !== "number" && typeof label !== "string")
      throw new TypeError(`hpo.kfoldIndices: label of row ${i} must be a number or a string, got ${typeof label}`);
    if (Number.isNaN(label)) throw new Error(`hpo.kfoldIndices: label of row ${i} is NaN`);
    const rows = byClass.get(label) ?? [];
    rows.push(i);
    byClass.set(label, rows);
  });
  let offset = 0;
  for (const label of [...byClass.keys()].sort(compareLabels)) {
    const rows = byClass.get(label);
    if (rows.length < k)
      throw new Error(
        `hpo.kfoldIndices: class ${JSON.stringify(label)} has ${rows.length} rows, fewer than cv.folds (${k}); use fewer folds or cv.stratified: false`,
      );
    shuffled(rows, int).forEach((row, j) => {
      assignment[row] = (offset + j) % k;
    });
    offset = (offset + rows.length) % k;
  }
  return assignment;
}

/**
 * `{ train, validation }`: row indices of fold `foldIndex` (default: this process's fold). The
 * split of `n` rows is the one hpo's built-in K-fold makes for this sweep (`HPO_FOLDS`,
 * `HPO_CV_SEED`, `HPO_CV_STRATIFIED`): stratified by `labels` (numbers or strings, one per row)
 * when the sweep is, else a plain shuffle.
 * @throws Error when there are fewer than 2 folds (`cv.folds: 1` means the program validates on
 *         its own), more folds than rows, a class with fewer rows than folds, labels that do not
 *         match `n`, or a fold out of range.
 */
export function kfoldIndices(n, labels, foldIndex) {
  if (refit() && foldIndex === undefined) {
    // the refit run trains on every row; validation is every row too, so a program runs unchanged
    if (!Number.isInteger(n) || n < 0)
      throw new Error(`hpo.kfoldIndices: n must be a non-negative integer, got ${String(n)}`);
    const all = Array.from({ length: n }, (_, i) => i);
    return { train: all, validation: [...all] };
  }
  const k = folds();
  const seed = envInt("HPO_CV_SEED", 0);
  const stratified = process.env.HPO_CV_STRATIFIED !== "0";
  const f = foldIndex ?? fold();
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`hpo.kfoldIndices: n must be a non-negative integer, got ${String(n)}`);
  if (k < 2)
    throw new Error(
      `hpo.kfoldIndices: cv.folds must be an integer >= 2, got ${k} (with cv.folds: 1 the program validates on its own)`,
    );
  if (k > n) throw new Error(`hpo.kfoldIndices: cv.folds (${k}) exceeds the number of rows (${n})`);
  if (!Number.isInteger(f) || f < 0 || f >= k)
    throw new Error(`hpo.kfoldIndices: fold must be an integer in [0, ${k - 1}], got ${String(f)}`);
  const rows = labels == null ? undefined : Array.from(labels);
  if (rows && rows.length !== n) throw new Error(`hpo.kfoldIndices: ${rows.length} labels for ${n} rows`);
  const assignment = assign(n, k, seed, stratified ? rows : undefined);
  const train = [];
  const validation = [];
  for (let i = 0; i < n; i++) (assignment[i] === f ? validation : train).push(i);
  return { train, validation };
}
