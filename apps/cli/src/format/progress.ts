import { finishedTrialsOf, gridSize, type SweepRecord, type SweepSpec } from "@hpo/core";
import { formatDuration } from "./duration.ts";
import { formatScore } from "./params.ts";

/** What the progress line shows; computed from a sweep snapshot. */
export interface Progress {
  readonly done: number;
  readonly total: number;
  readonly running: number;
  readonly best?: { readonly trialId: string; readonly mean: number; readonly std: number };
  readonly elapsedMs: number;
  /** Estimated time left; undefined until a trial has finished or when the sweep is over. */
  readonly etaMs?: number;
}

/**
 * Upper bound on the trials a sweep will run: `budget.max_trials`, or for a grid the number of
 * grid points when smaller.
 */
export function expectedTrials(spec: SweepSpec): number {
  const max = spec.budget.max_trials;
  return spec.method === "grid" ? Math.min(gridSize(spec), max) : max;
}

/** Progress of a sweep at time `now` (ms since epoch). */
export function progressOf(sweep: SweepRecord, now: number): Progress {
  const c = sweep.counts;
  const done = finishedTrialsOf(c);
  const over = sweep.status !== "running";
  const total = over ? Math.max(done, sweep.proposed) : Math.max(expectedTrials(sweep.spec), sweep.proposed, done);
  const elapsedMs = Math.max(0, (sweep.finishedAt ?? now) - sweep.createdAt);
  const etaMs = !over && done > 0 && total > done ? (elapsedMs / done) * (total - done) : undefined;
  return {
    done,
    total,
    running: c.running,
    ...(sweep.best ? { best: sweep.best } : {}),
    elapsedMs,
    ...(etaMs !== undefined ? { etaMs } : {}),
  };
}

/**
 * `[████░░░░] 5/8 trials · 2 running · best val_accuracy 0.9512 ± 0.0100 (t0003) · 40.0s · ETA 32.0s`.
 * With `maxWidth`, shorter variants are tried (narrower bar, then fewer words) so that the line
 * fits a terminal; the last resort is the shortest variant.
 */
export function renderProgress(p: Progress, metricName: string, maxWidth = Number.POSITIVE_INFINITY): string {
  const eta = p.etaMs !== undefined ? formatDuration(p.etaMs) : "-";
  const best = p.best ? `${formatScore(p.best.mean)} ± ${formatScore(p.best.std)}` : "-";
  const variants = [
    `${bar(p, 24)} ${p.done}/${p.total} trials · ${p.running} running · best ${metricName} ${best}${p.best ? ` (${p.best.trialId})` : ""} · ${formatDuration(p.elapsedMs)} · ETA ${eta}`,
    `${bar(p, 10)} ${p.done}/${p.total} trials · ${p.running} running · best ${metricName} ${best} · ETA ${eta}`,
    `${bar(p, 10)} ${p.done}/${p.total} · ${p.running} running · best ${best} · ETA ${eta}`,
    `${p.done}/${p.total} · ${p.running} run · best ${best} · ETA ${eta}`,
  ];
  return variants.find((v) => [...v].length <= maxWidth) ?? (variants.at(-1) as string);
}

function bar(p: Progress, width: number): string {
  const frac = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
  const filled = Math.round(frac * width);
  return `[${"█".repeat(filled)}${"░".repeat(width - filled)}]`;
}
