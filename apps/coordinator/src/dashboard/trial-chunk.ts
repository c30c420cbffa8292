/**
 * Trials in columns: what the scan thread sends the sweep table (typed arrays, transferred, so
 * the coordinator's event loop neither decodes nor garbage-collects the rows of a big load).
 */
import { type ParamValue, TRIAL_STATES } from "@hpo/core";
import type { TrialScanRow } from "@hpo/store";

/** One parameter of a chunk: `code[r]` ≥ 0 indexes `values`, −1 means the number `num[r]`, −2 absent. */
export interface ChunkParam {
  readonly name: string;
  readonly num: Float64Array;
  readonly code: Int32Array;
  readonly values: readonly ParamValue[];
}

/** `n` trials; numbers are NaN when missing; codes index the chunk's own dictionaries. */
export interface TrialChunk {
  readonly n: number;
  readonly index: Int32Array;
  /** Index into TRIAL_STATES. */
  readonly state: Uint8Array;
  readonly mean: Float64Array;
  readonly std: Float64Array;
  readonly sem: Float64Array;
  readonly durationMs: Float64Array;
  readonly prunedAt: Float64Array;
  /** Row r, fold k at r × folds + k. */
  readonly folds: number;
  readonly foldScores: Float64Array;
  /** Index into `workers`, −1 none. */
  readonly worker: Int32Array;
  readonly workers: readonly string[];
  readonly params: readonly ChunkParam[];
  /** Rows with flags only. */
  readonly flags: readonly (readonly [number, readonly string[]])[];
}

/** Key of a categorical value in a dictionary (arrays by their items, type-tagged). */
export const keyOfValue = (v: ParamValue): string =>
  Array.isArray(v) ? `[${v.join(",")}]` : `${typeof v}:${String(v)}`;

const STATE_CODE = new Map(TRIAL_STATES.map((s, i) => [s, i]));
const nan = (v: number | undefined) => v ?? Number.NaN;

/** Columns of `rows` with `folds` fold scores each. */
export function toChunk(rows: readonly TrialScanRow[], folds: number): TrialChunk {
  const n = rows.length;
  const c = {
    n,
    index: new Int32Array(n),
    state: new Uint8Array(n),
    mean: new Float64Array(n),
    std: new Float64Array(n),
    sem: new Float64Array(n),
    durationMs: new Float64Array(n),
    prunedAt: new Float64Array(n),
    folds,
    foldScores: new Float64Array(n * folds).fill(Number.NaN),
    worker: new Int32Array(n),
    workers: [] as string[],
    params: [] as { name: string; num: Float64Array; code: Int32Array; values: ParamValue[] }[],
    flags: [] as [number, readonly string[]][],
  };
  const workerOf = new Map<string, number>();
  const params = new Map<string, { col: (typeof c.params)[number]; codeOf: Map<string, number> }>();
  rows.forEach((t, r) => {
    c.index[r] = t.index;
    c.state[r] = STATE_CODE.get(t.state) ?? 0;
    c.mean[r] = nan(t.mean);
    c.std[r] = nan(t.std);
    c.sem[r] = nan(t.sem);
    c.durationMs[r] = nan(t.durationMs);
    c.prunedAt[r] = nan(t.prunedAt);
    for (let k = 0; k < folds; k++) c.foldScores[r * folds + k] = nan(t.foldScores[k]);
    if (t.worker) {
      let w = workerOf.get(t.worker);
      if (w === undefined) w = workerOf.set(t.worker, c.workers.push(t.worker) - 1).get(t.worker) as number;
      c.worker[r] = w;
    } else c.worker[r] = -1;
    if (t.flags.length) c.flags.push([r, t.flags]);
    for (const name in t.params) {
      const v = t.params[name] as ParamValue;
      let p = params.get(name);
      if (!p) {
        const col = { name, num: new Float64Array(n).fill(Number.NaN), code: new Int32Array(n).fill(-2), values: [] };
        c.params.push(col);
        p = { col, codeOf: new Map() };
        params.set(name, p);
      }
      if (typeof v === "number") {
        p.col.num[r] = v;
        p.col.code[r] = -1;
      } else {
        const key = keyOfValue(v);
        let code = p.codeOf.get(key);
        if (code === undefined) {
          code = p.col.values.push(v) - 1;
          p.codeOf.set(key, code);
        }
        p.col.code[r] = code;
      }
    }
  });
  return c;
}

/** The buffers of `c`, to transfer with postMessage. */
export function chunkBuffers(c: TrialChunk): ArrayBuffer[] {
  const arrays = [c.index, c.state, c.mean, c.std, c.sem, c.durationMs, c.prunedAt, c.foldScores, c.worker];
  for (const p of c.params) arrays.push(p.num, p.code);
  return arrays.map((a) => a.buffer as ArrayBuffer);
}
