/**
 * An in-memory, column-oriented copy of one sweep's trials, kept in step with the store
 * incrementally: new trials are read by index, and only trials whose state moved are re-read.
 * Numbers live in typed arrays (about 100 bytes per trial instead of kilobytes of objects), and
 * each column's sort order is computed once per table version, so re-sorting 100,000 trials is
 * a pass over a cached permutation.
 */
import {
  type Goal,
  maxFoldRunsOf,
  type ParamValue,
  type SweepRecord,
  TRIAL_STATES,
  type TrialState,
  type TrialSummary,
} from "@hpo/core";
import { type TrialScan, trialIdOf } from "@hpo/store";
import { type ChunkSource, inlineChunks } from "./chunk-source.ts";
import { grow, sortByKey } from "./columns.ts";
import { keyOfValue, type TrialChunk, toChunk } from "./trial-chunk.ts";

const BATCH = 1000;
const PARALLEL_BATCHES = 4;
const OPEN: readonly TrialState[] = ["queued", "running"];
const QUEUED = TRIAL_STATES.indexOf("queued");
const RUNNING = TRIAL_STATES.indexOf("running");

/** A leaderboard row on the wire: a TrialRecord without fold metrics, times or errors. */
export interface TableRow extends TrialSummary {
  readonly sweepId: string;
  readonly folds: readonly { readonly fold: number; readonly score: number }[];
}

/** Read access by slot (= trial index). Numbers are NaN when missing. */
export interface SweepTable {
  readonly sweepId: string;
  /** Increases whenever a trial is added or changes. */
  readonly version: number;
  /** Number of slots (highest index + 1); `has(i)` tells which hold a trial. */
  readonly size: number;
  /** Trials held. */
  readonly count: number;
  readonly loaded: boolean;
  readonly paramNames: readonly string[];
  has(i: number): boolean;
  state(i: number): TrialState;
  mean(i: number): number;
  std(i: number): number;
  sem(i: number): number;
  durationMs(i: number): number;
  foldScore(i: number, fold: number): number;
  param(name: string, i: number): ParamValue | undefined;
  flags(i: number): readonly string[];
  worker(i: number): string | undefined;
  row(i: number): TableRow;
  /**
   * Present slots in ascending order of `sort` (see leaderboard-query.ts for the keys), missing
   * values last, ties by index. Cached until the table changes.
   */
  order(sort: string, goal: Goal): { readonly slots: Uint32Array; readonly missing: number };
  /**
   * Computes the sort order of every column in the background (one column per event-loop turn),
   * so that any re-sort of a sweep that no longer changes is a pass over a cached order.
   */
  warm(goal: Goal): void;
  /** Resolves when the next batch of trials is stored (or the sync in progress ends). */
  stored(): Promise<void>;
  /** Brings the table up to date with `sweep` (its counts and proposed); one sync at a time. */
  sync(sweep: SweepRecord): Promise<void>;
}

/** One parameter: numbers in a Float64Array, anything else as a code into `values`. */
interface ParamColumn {
  num: Float64Array;
  code: Int32Array;
  readonly values: ParamValue[];
  readonly codeOf: Map<string, number>;
}

const textOf = (v: ParamValue): string => (Array.isArray(v) ? `[${v.join(",")}]` : String(v));

/**
 * An empty table for `sweep`: `sync` fills it. Bulk loads come from `chunks` (a scan thread in
 * the coordinator); the few trials re-read because their state moved, from `scan`.
 */
export function createSweepTable(
  scan: TrialScan,
  sweep: SweepRecord,
  chunks: ChunkSource = inlineChunks(scan),
): SweepTable {
  const sweepId = sweep.id;
  const folds = sweep.spec.cv ? maxFoldRunsOf(sweep.spec) : 1;
  const paramNames = Object.keys(sweep.spec.parameters ?? {});
  let size = 0;
  let count = 0;
  let present: Uint8Array = new Uint8Array(0);
  let state: Uint8Array = new Uint8Array(0);
  let mean: Float64Array = new Float64Array(0);
  let std: Float64Array = new Float64Array(0);
  let sem: Float64Array = new Float64Array(0);
  let dur: Float64Array = new Float64Array(0);
  let pruned: Float64Array = new Float64Array(0);
  let foldScores: Float64Array = new Float64Array(0);
  let workerCode: Int32Array = new Int32Array(0);
  const workers: string[] = [];
  const workerOf = new Map<string, number>();
  const flagList: (readonly string[] | undefined)[] = [];
  /** Slots whose trial is queued or running: the only ones a sync re-checks. */
  const openSlots = new Set<number>();
  const params = new Map<string, ParamColumn>();
  const extraParams = new Set<string>();
  const orders = new Map<string, { slots: Uint32Array; missing: number }>();
  let ordersVersion = -1;
  let version = 0;
  let loaded = false;
  let lastSig = "";
  let running: Promise<void> | null = null;
  let again = false;
  let latest = sweep;
  let onStored: (() => void)[] = [];
  const notifyStored = () => {
    const waiting = onStored;
    onStored = [];
    for (const f of waiting) f();
  };

  const column = (name: string): ParamColumn => {
    let c = params.get(name);
    if (!c) {
      c = { num: new Float64Array(0), code: new Int32Array(0), values: [], codeOf: new Map() };
      params.set(name, c);
      if (!paramNames.includes(name)) extraParams.add(name);
    }
    return c;
  };

  const ensure = (n: number) => {
    present = grow.u8(present, n);
    state = grow.u8(state, n);
    mean = grow.f64(mean, n);
    std = grow.f64(std, n);
    sem = grow.f64(sem, n);
    dur = grow.f64(dur, n);
    pruned = grow.f64(pruned, n);
    foldScores = grow.f64(foldScores, n * folds);
    workerCode = grow.i32(workerCode, n);
    for (const c of params.values()) {
      c.num = grow.f64(c.num, n);
      c.code = grow.i32(c.code, n);
    }
  };

  /** Stores the trials of `c` (new ones or newer versions of held ones). */
  const putChunk = (c: TrialChunk) => {
    let hi = size;
    for (let r = 0; r < c.n; r++) hi = Math.max(hi, (c.index[r] as number) + 1);
    ensure(hi);
    size = hi;
    const workerCodes = c.workers.map((w) => {
      let code = workerOf.get(w);
      if (code === undefined) {
        code = workers.push(w) - 1;
        workerOf.set(w, code);
      }
      return code;
    });
    for (let r = 0; r < c.n; r++) {
      const i = c.index[r] as number;
      if (!present[i]) count++;
      present[i] = 1;
      const st = c.state[r] as number;
      state[i] = st;
      if (st === QUEUED || st === RUNNING) openSlots.add(i);
      else openSlots.delete(i);
      mean[i] = c.mean[r] as number;
      std[i] = c.std[r] as number;
      sem[i] = c.sem[r] as number;
      dur[i] = c.durationMs[r] as number;
      pruned[i] = c.prunedAt[r] as number;
      for (let k = 0; k < folds; k++)
        foldScores[i * folds + k] = k < c.folds ? (c.foldScores[r * c.folds + k] as number) : Number.NaN;
      const w = c.worker[r] as number;
      workerCode[i] = w >= 0 ? (workerCodes[w] as number) : -1;
      flagList[i] = undefined;
    }
    for (const [r, f] of c.flags) flagList[c.index[r] as number] = f;
    for (const p of c.params) {
      const col = column(p.name);
      if (col.num.length < size) ensure(size);
      const codes = p.values.map((v) => {
        const key = keyOfValue(v);
        let code = col.codeOf.get(key);
        if (code === undefined) {
          code = col.values.push(v) - 1;
          col.codeOf.set(key, code);
        }
        return code;
      });
      for (let r = 0; r < c.n; r++) {
        const i = c.index[r] as number;
        const code = p.code[r] as number;
        col.num[i] = code === -1 ? (p.num[r] as number) : Number.NaN;
        col.code[i] = code >= 0 ? (codes[code] as number) : -1;
      }
    }
    version++;
  };

  /**
   * Reads the trials past the ones held, in index order: PARALLEL_BATCHES reads stay in flight
   * while each page that arrives is stored, one page per event-loop turn (requests get in).
   */
  async function readNew(): Promise<void> {
    let offset = count;
    let more = true;
    const inflight: Promise<TrialChunk>[] = [];
    const issue = () => {
      const p = chunks.range(sweepId, offset, BATCH, folds);
      p.catch(() => undefined); // awaited below; a later page may fail while an earlier one is stored
      inflight.push(p);
      offset += BATCH;
    };
    for (let b = 0; b < PARALLEL_BATCHES; b++) issue();
    for (let p = inflight.shift(); p; p = inflight.shift()) {
      const chunk = await p;
      if (chunk.n < BATCH) more = false;
      else if (more) issue();
      putChunk(chunk);
      notifyStored();
      await new Promise((r) => setImmediate(r));
    }
  }

  async function readMoved(): Promise<void> {
    // Trials we hold as open but that left their open state (or moved queued → running).
    const open = new Map<string, TrialState>();
    for (const s of OPEN) for (const id of await scan.idsInState(sweepId, s)) open.set(id, s);
    const stale = new Set<string>();
    for (const i of openSlots) {
      const id = trialIdOf(i);
      if (open.get(id) !== TRIAL_STATES[state[i] as number]) stale.add(id);
    }
    for (const id of open.keys()) {
      const i = Number(id.slice(1));
      if (present[i] && !openSlots.has(i)) stale.add(id);
    }
    const ids = [...stale];
    for (let j = 0; j < ids.length; j += BATCH)
      putChunk(toChunk(await scan.byIds(sweepId, ids.slice(j, j + BATCH)), folds));
  }

  async function syncOnce(s: SweepRecord): Promise<void> {
    const sig = `${s.proposed}|${JSON.stringify(s.counts)}|${s.status}`;
    // the final selection phase changes completed trials (folds, mean) without moving any count:
    // while it runs its trials are read again on every sync (at most select.top of them)
    const selecting = s.selection !== undefined && s.status === "running";
    if (loaded && sig === lastSig && !selecting) return;
    await readNew();
    if (loaded) await readMoved();
    if (loaded && s.selection) putChunk(toChunk(await scan.byIds(sweepId, s.selection), folds));
    loaded = true;
    lastSig = sig;
  }

  const paramOf = (name: string, i: number): ParamValue | undefined => {
    const c = params.get(name);
    if (!c || i >= c.num.length) return undefined;
    const code = c.code[i] as number;
    if (code >= 0) return c.values[code];
    const v = c.num[i] as number;
    return Number.isNaN(v) ? undefined : v;
  };

  /** Sort key per slot (NaN = missing); lower sorts first. */
  function keys(sort: string, goal: Goal): Float64Array {
    if (sort === "score") return goal === "maximize" ? mean.map((v) => -v) : mean;
    if (sort === "std") return std;
    if (sort === "sem") return sem;
    if (sort === "duration") return dur;
    if (sort === "index") return Float64Array.from({ length: size }, (_, i) => i);
    if (sort === "state") return Float64Array.from(state.subarray(0, size));
    if (sort.startsWith("f:")) {
      const k = Number(sort.slice(2));
      return Float64Array.from({ length: size }, (_, i) =>
        k < folds ? (foldScores[i * folds + k] as number) : Number.NaN,
      );
    }
    const c = params.get(sort.slice(2));
    const out = new Float64Array(size).fill(Number.NaN);
    if (!c) return out;
    // categories by their text; numbers (if mixed in) before them
    let maxNum = 0;
    for (let i = 0; i < size; i++)
      if ((c.code[i] as number) < 0 && (c.num[i] as number) > maxNum) maxNum = c.num[i] as number;
    const rank = [...c.values.keys()].sort((a, b) =>
      textOf(c.values[a] as ParamValue) < textOf(c.values[b] as ParamValue) ? -1 : 1,
    );
    const rankOf = new Float64Array(c.values.length);
    rank.forEach((code, r) => {
      rankOf[code] = maxNum + 1 + r;
    });
    for (let i = 0; i < size; i++) {
      const code = c.code[i] as number;
      out[i] = code >= 0 ? (rankOf[code] as number) : (c.num[i] as number);
    }
    return out;
  }

  return {
    sweepId,
    get version() {
      return version;
    },
    get size() {
      return size;
    },
    get count() {
      return count;
    },
    get loaded() {
      return loaded;
    },
    get paramNames() {
      return [...paramNames, ...extraParams];
    },
    has: (i) => present[i] === 1,
    state: (i) => TRIAL_STATES[state[i] as number] as TrialState,
    mean: (i) => mean[i] as number,
    std: (i) => std[i] as number,
    sem: (i) => sem[i] as number,
    durationMs: (i) => dur[i] as number,
    foldScore: (i, k) => (k < folds ? (foldScores[i * folds + k] as number) : Number.NaN),
    param: paramOf,
    flags: (i) => flagList[i] ?? [],
    worker: (i) => ((workerCode[i] as number) >= 0 ? workers[workerCode[i] as number] : undefined),
    row(i) {
      const p: Record<string, ParamValue> = {};
      for (const name of params.keys()) {
        const v = paramOf(name, i);
        if (v !== undefined) p[name] = v;
      }
      const fs: { fold: number; score: number }[] = [];
      for (let k = 0; k < folds; k++) {
        const v = foldScores[i * folds + k] as number;
        if (!Number.isNaN(v)) fs.push({ fold: k, score: v });
      }
      const opt = (name: string, v: number) => (Number.isNaN(v) ? {} : { [name]: v });
      const w = workerCode[i] as number;
      return {
        sweepId,
        id: trialIdOf(i),
        index: i,
        state: TRIAL_STATES[state[i] as number] as TrialState,
        params: p,
        folds: fs,
        ...opt("mean", mean[i] as number),
        ...opt("std", std[i] as number),
        ...opt("sem", sem[i] as number),
        flags: flagList[i] ?? [],
        ...opt("prunedAt", pruned[i] as number),
        ...opt("durationMs", dur[i] as number),
        ...(w >= 0 && { worker: workers[w] }),
      };
    },
    order(sort, goal) {
      if (ordersVersion !== version) {
        orders.clear();
        ordersVersion = version;
      }
      const cacheKey = `${sort}|${goal}`;
      const cached = orders.get(cacheKey);
      if (cached) return cached;
      const key = keys(sort, goal);
      const all = new Uint32Array(count);
      let withKey = 0;
      let missing = count;
      for (let i = 0; i < size; i++) {
        if (!present[i]) continue;
        if (Number.isNaN(key[i] as number)) all[--missing] = i;
        else all[withKey++] = i;
      }
      all.subarray(missing).reverse(); // missing ones by index
      all.set(sortByKey(key, all.subarray(0, withKey)));
      const res = { slots: all, missing: count - withKey };
      orders.set(cacheKey, res);
      return res;
    },
    warm(goal) {
      const v = version;
      const sorts = [
        "score",
        "index",
        "std",
        "sem",
        "duration",
        "state",
        ...Array.from({ length: folds }, (_, k) => `f:${k}`),
        ...[...params.keys()].map((p) => `p:${p}`),
      ];
      const next = () => {
        const sort = sorts.shift();
        if (sort === undefined || version !== v) return;
        this.order(sort, goal);
        setTimeout(next, 20); // requests first
      };
      setTimeout(next, 200);
    },
    stored: () => new Promise<void>((r) => onStored.push(r)),
    async sync(s) {
      latest = s;
      if (running) {
        again = true;
        return running;
      }
      running = (async () => {
        try {
          do {
            again = false;
            await syncOnce(latest);
          } while (again);
        } finally {
          running = null;
          notifyStored();
        }
      })();
      return running;
    },
  };
}
