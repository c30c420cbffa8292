/**
 * PED-ANOVA (Watanabe et al., IJCAI 2023): the importance of a parameter is the Pearson divergence
 * between its distribution among the top-γ trials and among all trials. A parameter whose good
 * values are spread like all values does not matter; one whose good values concentrate does.
 *
 * Densities are histograms on equal-mass bins of all trials (so log and linear scales give the
 * same answer) or on the distinct values of categorical and low-cardinality parameters. The
 * divergence expected from sampling noise alone, (bins − 1) / n_top, is subtracted so that an
 * irrelevant parameter scores close to 0. Pure and synchronous: run it off the request path.
 */
export type Cell = number | string | null;

export interface ImportanceInput {
  readonly names: readonly string[];
  /** columns[d][i] = value of parameter d in trial i; null when inactive (conditional). */
  readonly columns: readonly (readonly Cell[])[];
  readonly scores: readonly number[];
  readonly goal: "maximize" | "minimize";
  /** Fraction of trials that count as "top". Default 0.1 (at least min(5, n/2) trials). */
  readonly gamma?: number;
  /** Most histogram bins for continuous parameters. Default 10 (fewer when there are few top trials). */
  readonly bins?: number;
}

export interface ParamImportance {
  readonly name: string;
  /** Share of the total, in [0, 1]; all shares sum to 1 unless every divergence is 0. */
  readonly importance: number;
  /** The raw Pearson divergence (noise-corrected). */
  readonly divergence: number;
}

/** Maps every trial of one column to a bin number; returns the bin of each trial and the bin count. */
function binColumn(col: readonly Cell[], bins: number): { bin: Int32Array; nBins: number } {
  const n = col.length;
  const bin = new Int32Array(n);
  const numeric = col.every((v) => v === null || typeof v === "number");
  const distinct = new Map<string, number>();
  for (const v of col) {
    const key = v === null ? "\u0000null" : String(v);
    if (!distinct.has(key)) distinct.set(key, distinct.size);
    if (distinct.size > bins && numeric) break;
  }
  if (!numeric || distinct.size <= bins) {
    for (let i = 0; i < n; i++) {
      const v = col[i];
      bin[i] = distinct.get(v === null || v === undefined ? "\u0000null" : String(v)) as number;
    }
    return { bin, nBins: distinct.size };
  }
  // equal-mass bins over the active values; inactive trials get their own bin
  const active: number[] = [];
  for (const v of col) if (typeof v === "number") active.push(v);
  const sorted = Float64Array.from(active).sort();
  const edges: number[] = [];
  for (let b = 1; b < bins; b++) edges.push(sorted[Math.floor((b * sorted.length) / bins)] as number);
  const hasNull = active.length < n;
  for (let i = 0; i < n; i++) {
    const v = col[i];
    if (typeof v !== "number") {
      bin[i] = bins;
      continue;
    }
    let lo = 0;
    let hi = edges.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (v < (edges[mid] as number)) hi = mid;
      else lo = mid + 1;
    }
    bin[i] = lo;
  }
  return { bin, nBins: bins + (hasNull ? 1 : 0) };
}

export function pedAnova(input: ImportanceInput): ParamImportance[] {
  const n = input.scores.length;
  const gamma = input.gamma ?? 0.1;
  const maxBins = input.bins ?? 10;
  if (n < 4) return input.names.map((name) => ({ name, importance: 0, divergence: 0 }));
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => {
    const d = (input.scores[a] as number) - (input.scores[b] as number);
    return input.goal === "maximize" ? -d : d;
  });
  // Few trials: a larger top set and coarser bins, or the noise term swamps every signal.
  const nTop = Math.max(Math.round(gamma * n), Math.min(5, Math.floor(n / 2)), 2);
  const bins = Math.max(2, Math.min(maxBins, Math.round(nTop / 2)));
  const isTop = new Uint8Array(n);
  for (let r = 0; r < nTop; r++) isTop[order[r] as number] = 1;

  const raw = input.names.map((name, d) => {
    const { bin, nBins } = binColumn(input.columns[d] ?? [], bins);
    if (nBins <= 1) return { name, divergence: 0 };
    const all = new Float64Array(nBins);
    const top = new Float64Array(nBins);
    for (let i = 0; i < n; i++) {
      const b = bin[i] as number;
      all[b] = (all[b] as number) + 1;
      if (isTop[i]) top[b] = (top[b] as number) + 1;
    }
    let div = 0;
    for (let b = 0; b < nBins; b++) {
      const pAll = (all[b] as number) / n;
      if (pAll === 0) continue;
      const pTop = (top[b] as number) / nTop;
      div += pAll * (pTop / pAll - 1) ** 2;
    }
    const noise = (nBins - 1) / nTop;
    return { name, divergence: Math.max(0, div - noise) };
  });
  const sum = raw.reduce((a, r) => a + r.divergence, 0);
  return raw.map((r) => ({ ...r, importance: sum > 0 ? r.divergence / sum : 0 }));
}
