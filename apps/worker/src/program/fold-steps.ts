import type { EpochReport } from "@hpo/core";
import type { ReportLine } from "./report-line.ts";

/**
 * Turns the report lines of a trial's K fold processes into the trial's per-step reports (the
 * K-fold mean that pruners compare, as for built-in trials).
 *
 * A fold's step is open until the fold reports a higher step, reports the sweep metric at that
 * step, or exits; lines for the open step merge into it (W&B: one step, several log calls); a line
 * for a step already closed is refused (`add` returns false). A step is emitted, in order, once
 * every fold has closed it or exited: `folds` holds each fold's metrics at that step (`{}` for a
 * fold that did not report it) and `value` the mean of the sweep metric over the folds that
 * reported it (NaN when none did: nothing for a pruner to compare).
 */
export interface FoldSteps {
  /** Records a report of `fold`; returns the steps that became complete (oldest first). False: stale line. */
  add(fold: number, line: ReportLine): EpochReport[] | false;
  /** Marks `fold` as exited; returns the steps that became complete. */
  exit(fold: number): EpochReport[];
  /** The last value of every metric `fold` reported. */
  last(fold: number): Readonly<Record<string, number>>;
  /** The last step `fold` reported (-1 before any). */
  lastStep(fold: number): number;
}

interface FoldState {
  open: number; // -1 before the first report
  closedThrough: number;
  exited: boolean;
  steps: Map<number, Record<string, number>>;
  last: Record<string, number>;
}

export function createFoldSteps(folds: number, metric: string): FoldSteps {
  const states: FoldState[] = Array.from({ length: folds }, () => ({
    open: -1,
    closedThrough: -1,
    exited: false,
    steps: new Map(),
    last: {},
  }));
  let emitted = -1;

  const ready = (): EpochReport[] => {
    const out: EpochReport[] = [];
    for (;;) {
      let next = Number.POSITIVE_INFINITY;
      for (const s of states) for (const step of s.steps.keys()) if (step > emitted && step < next) next = step;
      if (next === Number.POSITIVE_INFINITY) return out;
      if (!states.every((s) => s.exited || s.closedThrough >= next)) return out;
      const values = states.map((s) => s.steps.get(next) ?? {});
      for (const s of states) s.steps.delete(next);
      const scores = values.map((v) => v[metric]).filter((v): v is number => v !== undefined);
      const value = scores.length > 0 ? scores.reduce((a, b) => a + b, 0) / scores.length : Number.NaN;
      out.push({ epoch: next, folds: values, value });
      emitted = next;
    }
  };

  return {
    add(fold, { step, metrics }) {
      const s = states[fold] as FoldState;
      if (step <= s.closedThrough || step < s.open || step <= emitted) return false;
      if (step > s.open && s.open >= 0) s.closedThrough = Math.max(s.closedThrough, s.open);
      s.open = step;
      s.steps.set(step, { ...(s.steps.get(step) ?? {}), ...metrics });
      Object.assign(s.last, metrics);
      if (metric in metrics) s.closedThrough = step;
      return ready();
    },
    exit(fold) {
      (states[fold] as FoldState).exited = true;
      return ready();
    },
    last: (fold) => (states[fold] as FoldState).last,
    lastStep: (fold) => (states[fold] as FoldState).open,
  };
}
