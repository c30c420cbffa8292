/**
 * The invariants every fault scenario ends with, checked from raw Redis (not through the store's
 * own read paths, so a bug there cannot hide itself):
 * 1. every trial is in exactly one state, that state is final, and the trial hash agrees with the
 *    `state:*` sets;
 * 2. every completed trial has exactly K fold results, folds 0..K-1, with finite scores;
 * 3. no job of the sweep is left waiting, active, delayed or prioritized in BullMQ;
 * 4. the per-sweep counts `c:{state}` equal the counts recomputed from the trial records, and
 *    `proposed` equals the number of trial records.
 */
import { type FoldResult, isFinalTrialState, TRIAL_STATES, type TrialState } from "@hpo/core";
import { waitFor } from "@hpo/core/testing";
import { TRIALS_QUEUE } from "@hpo/store";
import { Queue } from "bullmq";
import type { Redis } from "ioredis";

export interface InvariantReport {
  /** Number of trials per final state, recomputed from the trial records. */
  readonly states: Readonly<Partial<Record<TrialState, number>>>;
  readonly trials: number;
}

/** Reads every trial of a sweep and returns the list of invariant violations (empty when fine). */
async function violationsOf(redis: Redis, prefix: string, sweepId: string) {
  const p = `${prefix}:`;
  const sweepKey = `${p}sweep:${sweepId}`;
  const problems: string[] = [];
  const sweep = await redis.hgetall(sweepKey);
  if (!sweep.spec) return { problems: [`sweep ${sweepId}: missing`], states: {}, trials: 0 };
  const k = (JSON.parse(sweep.spec) as { cv: { folds: number } }).cv.folds;
  const ids = await redis.zrange(`${sweepKey}:trials`, 0, -1);
  const recomputed: Partial<Record<TrialState, number>> = {};
  const members = new Map<TrialState, Set<string>>();
  for (const s of TRIAL_STATES) members.set(s, new Set(await redis.zrange(`${sweepKey}:state:${s}`, 0, -1)));
  for (const id of ids) {
    const t = await redis.hgetall(`${p}trial:${sweepId}:${id}`);
    const state = t.state as TrialState | undefined;
    const where = `trial ${sweepId}/${id}`;
    if (!state) {
      problems.push(`${where}: no record`);
      continue;
    }
    recomputed[state] = (recomputed[state] ?? 0) + 1;
    if (!isFinalTrialState(state)) problems.push(`${where}: not final (${state})`);
    const inSets = TRIAL_STATES.filter((s) => members.get(s)?.has(id));
    if (inSets.length !== 1 || inSets[0] !== state) {
      problems.push(`${where}: state ${state} but in state sets [${inSets.join(", ")}]`);
    }
    if (state === "completed") {
      const folds = JSON.parse(t.folds ?? "[]") as FoldResult[];
      const order = folds.map((f) => f.fold).sort((a, b) => a - b);
      if (folds.length !== k || order.some((f, i) => f !== i)) {
        problems.push(`${where}: completed with folds [${order.join(",")}], want 0..${k - 1}`);
      }
      if (folds.some((f) => !Number.isFinite(f.score))) problems.push(`${where}: a fold score is not finite`);
      if (!Number.isFinite(Number(t.mean))) problems.push(`${where}: completed without a mean`);
    }
  }
  for (const s of TRIAL_STATES) {
    const stored = Number(sweep[`c:${s}`] ?? 0);
    if (stored !== (recomputed[s] ?? 0)) {
      problems.push(`sweep ${sweepId}: c:${s} = ${stored}, recomputed ${recomputed[s] ?? 0}`);
    }
    const extra = [...(members.get(s) ?? [])].filter((id) => !ids.includes(id));
    if (extra.length) problems.push(`sweep ${sweepId}: state:${s} holds unknown trials ${extra.join(",")}`);
  }
  if (Number(sweep.proposed ?? 0) !== ids.length) {
    problems.push(`sweep ${sweepId}: proposed = ${sweep.proposed}, trial records ${ids.length}`);
  }
  return { problems, states: recomputed, trials: ids.length };
}

/** Ids of the sweep's jobs still waiting, active, delayed or prioritized. */
async function openJobs(queue: Queue, sweepIds: readonly string[]): Promise<string[]> {
  const jobs = await queue.getJobs(["waiting", "active", "delayed", "prioritized", "paused", "waiting-children"]);
  return jobs.flatMap((j) => (j && sweepIds.some((s) => j.id?.startsWith(`${s}__`)) ? [String(j.id)] : []));
}

/**
 * Checks the four invariants for `sweepIds` under `prefix`; waits up to `timeoutMs` (default
 * 15 s) for them to hold (a worker may still be acknowledging its last job), then throws an
 * Error listing every violation. Returns the recomputed state counts per sweep.
 */
export async function checkInvariants(opts: {
  readonly redis: Redis;
  readonly prefix: string;
  readonly sweepIds: readonly string[];
  readonly timeoutMs?: number;
}): Promise<Record<string, InvariantReport>> {
  const queue = new Queue(TRIALS_QUEUE, { connection: opts.redis, prefix: opts.prefix });
  let last: string[] = [];
  try {
    return await waitFor(
      "the fault invariants to hold",
      async () => {
        const out: Record<string, InvariantReport> = {};
        const problems: string[] = [];
        for (const id of opts.sweepIds) {
          const v = await violationsOf(opts.redis, opts.prefix, id);
          problems.push(...v.problems);
          out[id] = { states: v.states, trials: v.trials };
        }
        const open = await openJobs(queue, opts.sweepIds);
        if (open.length) problems.push(`jobs still open in BullMQ: ${open.join(", ")}`);
        last = problems;
        if (problems.length) throw new Error(problems.join("; "));
        return out;
      },
      { timeoutMs: opts.timeoutMs ?? 15_000, intervalMs: 250 },
    );
  } catch (e) {
    throw new Error(`invariants violated:\n- ${last.join("\n- ") || (e as Error).message}`);
  } finally {
    await queue.close();
  }
}
