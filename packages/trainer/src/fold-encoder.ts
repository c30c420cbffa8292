import type { Dataset } from "./datasets/dataset.ts";

/** How one numeric column becomes inputs: itself (missing cells → `median`) and maybe a "was missing" input. */
export interface NumericEncoding {
  readonly name: string;
  /** Median of the column over the fold's training rows (0 when none has a value). */
  readonly median: number;
  /** A 0/1 "was missing" input follows: some training row misses this column. */
  readonly indicator: boolean;
}

/** How one categorical column becomes one-hot inputs. */
export interface CategoricalEncoding {
  readonly name: string;
  /** Categories with their own input, sorted by name: the most frequent in the training rows, at most the cap. */
  readonly kept: readonly string[];
  /** Training categories past the cap, sharing the "other" input (most frequent first). */
  readonly bucketed: readonly string[];
  /** An "other" input follows (`bucketed` is not empty); categories unseen in training go there too. */
  readonly other: boolean;
  /** A "missing" input follows: some training row misses this column. */
  readonly missing: boolean;
}

/**
 * The input layout of one fold, fitted on the fold's training rows only: numeric columns (each with
 * its median and maybe a missing indicator), then one-hot blocks. Rows it did not see are encoded
 * with what it holds: a category unseen in training goes to "other" (all zeros when the column has
 * no "other" input), a missing cell without a "missing" input is all zeros.
 */
export interface FoldEncoder {
  readonly numeric: readonly NumericEncoding[];
  readonly categorical: readonly CategoricalEncoding[];
  /** One-hot cap it was fitted with. */
  readonly maxCategories: number;
  /** Input names in order: `age`, `age (missing)`, `port=S`, `port (other)`, `port (missing)`. */
  readonly inputs: readonly string[];
}

/** Median of `values` (NaN skipped); 0 when none is a number. Quickselect: O(n). */
export function medianOf(values: Float64Array): number {
  const n = values.length;
  if (n === 0) return 0;
  const nth = (k: number): number => {
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const pivot = values[(lo + hi) >> 1] as number;
      let i = lo;
      let j = hi;
      while (i <= j) {
        while ((values[i] as number) < pivot) i++;
        while ((values[j] as number) > pivot) j--;
        if (i <= j) {
          const t = values[i] as number;
          values[i++] = values[j] as number;
          values[j--] = t;
        }
      }
      if (k <= j) hi = j;
      else if (k >= i) lo = i;
      else return values[k] as number;
    }
    return values[k] as number;
  };
  const upper = nth(n >> 1);
  return n % 2 === 1 ? upper : (upper + nth((n >> 1) - 1)) / 2;
}

/**
 * Fits the encoder of a fold on `trainRows` only: medians and missing indicators of numeric
 * columns, kept categories (the `maxCategories` most frequent, ties by name), "other" and
 * "missing" inputs of categorical ones. Nothing is read from rows outside `trainRows`.
 */
export function fitFoldEncoder(data: Dataset, trainRows: readonly number[], maxCategories: number): FoldEncoder {
  const d = data.nFeatures;
  const inputs: string[] = [];
  const numeric = data.featureNames.map((name, j): NumericEncoding => {
    const present = new Float64Array(trainRows.length);
    let n = 0;
    for (const r of trainRows) {
      const v = data.features[r * d + j] as number;
      if (!Number.isNaN(v)) present[n++] = v;
    }
    const indicator = n < trainRows.length;
    inputs.push(name);
    if (indicator) inputs.push(`${name} (missing)`);
    return { name, median: medianOf(present.subarray(0, n)), indicator };
  });
  const categorical = data.categorical.map((col): CategoricalEncoding => {
    const counts = new Array<number>(col.levels.length).fill(0);
    let missing = false;
    for (const r of trainRows) {
      const c = col.codes[r] as number;
      if (c < 0) missing = true;
      else counts[c] = (counts[c] as number) + 1;
    }
    const seen = col.levels
      .map((level, c) => ({ level, count: counts[c] as number }))
      .filter((x) => x.count > 0)
      .sort((a, b) => b.count - a.count || (a.level < b.level ? -1 : a.level > b.level ? 1 : 0));
    const kept = seen
      .slice(0, maxCategories)
      .map((x) => x.level)
      .sort();
    const bucketed = seen.slice(maxCategories).map((x) => x.level);
    const other = bucketed.length > 0;
    for (const level of kept) inputs.push(`${col.name}=${level}`);
    if (other) inputs.push(`${col.name} (other)`);
    if (missing) inputs.push(`${col.name} (missing)`);
    return { name: col.name, kept, bucketed, other, missing };
  });
  return { numeric, categorical, maxCategories, inputs };
}

/** Encodes `rows` with a fitted encoder: row-major `rows.length × encoder.inputs.length`, not standardized. */
export function encodeRows(encoder: FoldEncoder, data: Dataset, rows: readonly number[]): Float32Array {
  const width = encoder.inputs.length;
  const d = data.nFeatures;
  const out = new Float32Array(rows.length * width);
  // per categorical column: the input of each code (-1: none), and of a missing cell
  let offset = 0;
  for (const enc of encoder.numeric) offset += enc.indicator ? 2 : 1;
  const blocks = encoder.categorical.map((enc, c) => {
    const col = data.categorical[c] as (typeof data.categorical)[number];
    const start = offset;
    const slot = new Map(enc.kept.map((level, i) => [level, start + i]));
    const otherAt = enc.other ? start + enc.kept.length : -1;
    const missingAt = enc.missing ? start + enc.kept.length + (enc.other ? 1 : 0) : -1;
    offset = start + enc.kept.length + (enc.other ? 1 : 0) + (enc.missing ? 1 : 0);
    const inputOf = Int32Array.from(col.levels, (level) => slot.get(level) ?? otherAt);
    return { codes: col.codes, inputOf, missingAt };
  });
  rows.forEach((r, i) => {
    const base = i * width;
    let at = base;
    encoder.numeric.forEach((enc, j) => {
      const v = data.features[r * d + j] as number;
      const isMissing = Number.isNaN(v);
      out[at++] = isMissing ? enc.median : v;
      if (enc.indicator) out[at++] = isMissing ? 1 : 0;
    });
    for (const b of blocks) {
      const code = b.codes[r] as number;
      const input = code < 0 ? b.missingAt : (b.inputOf[code] as number);
      if (input >= 0) out[base + input] = 1;
    }
  });
  return out;
}

/**
 * One line per column that needed more than a copy (for the trial log): missing indicators with
 * their median, one-hot widths, and what went into "other".
 */
export function describeEncoder(encoder: FoldEncoder): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of encoder.numeric) if (n.indicator) out[n.name] = `median ${n.median} + missing indicator`;
  for (const c of encoder.categorical) {
    const parts = [`one-hot ${c.kept.length}`];
    if (c.other) {
      const shown = c.bucketed.slice(0, 10).join(", ");
      const more = c.bucketed.length > 10 ? `, … ${c.bucketed.length - 10} more` : "";
      parts.push(`other: ${c.bucketed.length} (${shown}${more})`);
    }
    if (c.missing) parts.push("missing");
    out[c.name] = parts.join(" + ");
  }
  return out;
}
