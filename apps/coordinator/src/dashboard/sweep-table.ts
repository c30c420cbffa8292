/**
 * An in-memory copy of one sweep's trials, kept in step with the store incrementally: new trials
 * are read by index, and only trials whose state moved are re-read. Sorting and filtering of the
 * leaderboard, history, samples and importance are computed from it, so the store never has to
 * answer "sort 100,000 trials by dropout".
 */
import type { FoldResult, SweepRecord, TrialRecord, TrialState } from "@hpo/core";
import type { Store } from "@hpo/store";

const BATCH = 1000;
const OPEN: readonly TrialState[] = ["queued", "running"];

/** A trial as the table keeps it: fold metrics dropped (the Trial view reads the store). */
export type TableTrial = TrialRecord;

export interface SweepTable {
  readonly sweepId: string;
  /** Increases whenever a trial is added or changes. */
  readonly version: number;
  /** Every trial, by index (holes are possible while trials are proposed). */
  readonly trials: readonly (TableTrial | undefined)[];
  readonly loaded: boolean;
  /** Brings the table up to date with `sweep` (its counts and proposed) — at most one sync at a time. */
  sync(sweep: SweepRecord): Promise<void>;
}

const slimFolds = (folds: readonly FoldResult[]): FoldResult[] =>
  folds.map((f) => ({ fold: f.fold, score: f.score, epochs: f.epochs, durationMs: f.durationMs, metrics: {} }));

const slim = (t: TrialRecord & { curve?: unknown }): TableTrial => {
  const { curve: _curve, ...rest } = t;
  return { ...rest, folds: slimFolds(t.folds) };
};

const signature = (s: SweepRecord) => `${s.proposed}|${JSON.stringify(s.counts)}|${s.status}`;

export function createSweepTable(store: Store, sweepId: string): SweepTable {
  const trials: (TableTrial | undefined)[] = [];
  let version = 0;
  let loaded = false;
  let lastSig = "";
  let running: Promise<void> | null = null;
  let again = false;
  let latest: SweepRecord | null = null;

  const put = (t: TrialRecord) => {
    trials[t.index] = slim(t);
    version++;
  };

  async function readNew(): Promise<void> {
    for (;;) {
      const offset = trials.length;
      const page = await store.listTrials(sweepId, { sort: "index", offset, limit: BATCH });
      for (const t of page.items) put(t);
      if (page.items.length < BATCH || trials.length === offset) return;
    }
  }

  async function readMoved(): Promise<void> {
    // Trials we hold as open but that left their open state (or moved queued → running).
    const open = new Map<string, TrialState>();
    for (const state of OPEN) {
      for (const id of await store.trialIdsInState(sweepId, state, 1_000_000)) open.set(id, state);
    }
    const stale: string[] = [];
    for (const t of trials) {
      if (!t) continue;
      const now = open.get(t.id);
      if (OPEN.includes(t.state) ? now !== t.state : now !== undefined) stale.push(t.id);
    }
    for (let i = 0; i < stale.length; i += 50) {
      const got = await Promise.all(stale.slice(i, i + 50).map((id) => store.getTrial(sweepId, id)));
      for (const t of got) if (t) put(t);
    }
  }

  async function syncOnce(sweep: SweepRecord): Promise<void> {
    const sig = signature(sweep);
    if (loaded && sig === lastSig) return;
    await readNew();
    if (loaded) await readMoved();
    loaded = true;
    lastSig = sig;
  }

  return {
    sweepId,
    get version() {
      return version;
    },
    trials,
    get loaded() {
      return loaded;
    },
    async sync(sweep) {
      latest = sweep;
      if (running) {
        again = true;
        return running;
      }
      running = (async () => {
        try {
          do {
            again = false;
            await syncOnce(latest ?? sweep);
          } while (again);
        } finally {
          running = null;
        }
      })();
      return running;
    },
  };
}
