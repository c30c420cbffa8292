import {
  type FoldResult,
  type Params,
  type SweepRecord,
  type SweepSpec,
  type SweepStatus,
  type SweepTest,
  TRIAL_STATES,
  type TrialCounts,
  type TrialRecord,
  type TrialState,
} from "@hpo/core";

type Hash = Readonly<Record<string, string>>;

const num = (v: string | undefined): number | undefined => {
  if (v === undefined || v === "") return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
};

/** Decodes a sweep hash; undefined when the hash is empty (no such sweep). */
export function decodeSweep(id: string, h: Hash): SweepRecord | undefined {
  if (!h.spec) return undefined;
  const spec = JSON.parse(h.spec) as SweepSpec;
  const counts = Object.fromEntries(TRIAL_STATES.map((s) => [s, num(h[`c:${s}`]) ?? 0])) as TrialCounts;
  const bestMean = num(h.bestMean);
  const finishedAt = num(h.finishedAt);
  return {
    id,
    name: h.name ?? spec.name,
    spec,
    status: (h.status ?? "running") as SweepStatus,
    createdAt: num(h.createdAt) ?? 0,
    ...(finishedAt !== undefined && { finishedAt }),
    proposed: num(h.proposed) ?? 0,
    counts,
    ...(h.bestTrial &&
      bestMean !== undefined && {
        best: { trialId: h.bestTrial, mean: bestMean, std: num(h.bestStd) ?? 0 },
      }),
    ...(h.reason && { reason: h.reason }),
    ...(h.test && { test: JSON.parse(h.test) as SweepTest }),
    ...(h.selection && { selection: JSON.parse(h.selection) as string[] }),
  };
}

/** Decodes a trial hash; undefined when the hash is empty (no such trial). */
export function decodeTrial(h: Hash): TrialRecord | undefined {
  if (!h.id || !h.sweepId) return undefined;
  const opt = (key: keyof TrialRecord & string) => {
    const v = num(h[key]);
    return v === undefined ? {} : { [key]: v };
  };
  return {
    sweepId: h.sweepId,
    id: h.id,
    index: num(h.index) ?? 0,
    params: JSON.parse(h.params ?? "{}") as Params,
    state: (h.state ?? "queued") as TrialState,
    folds: JSON.parse(h.folds ?? "[]") as FoldResult[],
    ...opt("mean"),
    ...opt("std"),
    ...opt("sem"),
    createdAt: num(h.createdAt) ?? 0,
    ...opt("startedAt"),
    ...opt("finishedAt"),
    ...opt("durationMs"),
    ...(h.worker && { worker: h.worker }),
    ...opt("attempts"),
    ...(h.error && { error: h.error }),
    ...(h.errorCode && { errorCode: h.errorCode }),
    flags: JSON.parse(h.flags ?? "[]") as string[],
    ...opt("prunedAt"),
    ...opt("selected"),
    ...(h.selectionError && { selectionError: h.selectionError }),
  };
}
