/** Per-feature mean and standard deviation fitted on training rows. */
export interface Standardizer {
  readonly mean: Float64Array;
  readonly std: Float64Array;
}

/**
 * Fits mean and (population) standard deviation of each feature on `rows` only — the training
 * rows of a fold, so that validation rows never leak into the scaling. A constant feature gets
 * std 1 (it becomes all zeros).
 */
export function fitStandardizer(features: Float32Array, nFeatures: number, rows: readonly number[]): Standardizer {
  const mean = new Float64Array(nFeatures);
  const std = new Float64Array(nFeatures);
  for (const r of rows)
    for (let j = 0; j < nFeatures; j++) mean[j] = (mean[j] as number) + (features[r * nFeatures + j] as number);
  for (let j = 0; j < nFeatures; j++) mean[j] = (mean[j] as number) / Math.max(rows.length, 1);
  for (const r of rows) {
    for (let j = 0; j < nFeatures; j++) {
      const d = (features[r * nFeatures + j] as number) - (mean[j] as number);
      std[j] = (std[j] as number) + d * d;
    }
  }
  for (let j = 0; j < nFeatures; j++) {
    const s = Math.sqrt((std[j] as number) / Math.max(rows.length, 1));
    std[j] = s > 1e-12 && Number.isFinite(s) ? s : 1;
  }
  return { mean, std };
}

/** Returns the standardized copy of `rows` (row-major, `rows.length × nFeatures`). */
export function applyStandardizer(
  s: Standardizer,
  features: Float32Array,
  nFeatures: number,
  rows: readonly number[],
): Float32Array {
  const out = new Float32Array(rows.length * nFeatures);
  rows.forEach((r, i) => {
    for (let j = 0; j < nFeatures; j++) {
      out[i * nFeatures + j] = ((features[r * nFeatures + j] as number) - (s.mean[j] as number)) / (s.std[j] as number);
    }
  });
  return out;
}
