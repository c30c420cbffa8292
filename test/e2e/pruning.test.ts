import type { EpochReport, SweepRecord, TrialRecord } from "@hpo/core";
import { type AshaPruner, createPruner, HyperbandPruner } from "@hpo/core";
import { deleteKeysUnder } from "@hpo/store";
import { uniquePrefix } from "@hpo/store/testing";
import type { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { apiClient } from "../helpers/api.ts";
import { startCoordinator } from "../helpers/coordinator.ts";
import { startWorkerProcess } from "../helpers/processes.ts";
import { e2eStackPerSuite } from "../helpers/stack.ts";

type TrialWithCurve = TrialRecord & { curve: EpochReport[] };

/**
 * Invariants of a finished pruned sweep, read back over HTTP and from the rung hashes:
 * every trial final; a pruned trial stopped at a rung of its group's pruner, kept its partial
 * curve up to that epoch and was beaten there by a trial of its group; completed trials ran every
 * epoch; the best trial completed; the counts add up.
 */
async function checkInvariants(
  api: ReturnType<typeof apiClient>,
  redis: Redis,
  prefix: string,
  sweep: SweepRecord,
  get: (id: string) => Promise<TrialWithCurve>,
) {
  const trials = (await api.trials(sweep.id, "limit=1000&sort=index")).items;
  expect(trials).toHaveLength(sweep.proposed);
  const pruner = createPruner(sweep.spec.early_terminate);
  const counts = sweep.counts;
  expect(counts.queued + counts.running).toBe(0);
  expect(counts.completed + counts.pruned + counts.failed + counts.diverged + counts.cancelled).toBe(sweep.proposed);
  expect(counts.failed + counts.cancelled).toBe(0);
  const pruned = trials.filter((t) => t.state === "pruned");
  for (const t of pruned) {
    const full = await get(t.id);
    const at = full.prunedAt as number;
    expect(at, `${t.id} prunedAt`).toBeGreaterThanOrEqual(1);
    expect(at).toBeLessThan(sweep.spec.budget.max_epochs);
    // partial curve kept, epochs 1..prunedAt, each with the K-fold mean of its folds
    expect(full.curve.map((e) => e.epoch)).toEqual(Array.from({ length: at }, (_, i) => i + 1));
    for (const e of full.curve) expect(e.folds).toHaveLength(sweep.spec.cv.folds);
    // a rung of the trial's own pruner (Hyperband: of its bracket)
    const asha =
      pruner instanceof HyperbandPruner
        ? (pruner.brackets[pruner.bracketOf(t.id)] as AshaPruner)
        : (pruner as AshaPruner);
    expect(asha.rungOf(at), `${t.id} pruned at epoch ${at}, not a rung`).toBeDefined();
    // beaten at that rung by a trial of its group (values only grow, so the winner is still there)
    const rung = await redis.hgetall(`${prefix}:sweep:${sweep.id}:step:${at}`);
    const mine = Number(rung[t.id]);
    expect(mine).toBeCloseTo(full.curve[at - 1]?.value as number, 12);
    const better = Object.entries(rung).filter(
      ([id, v]) => id !== t.id && pruner.groupOf(id) === pruner.groupOf(t.id) && Number(v) > mine,
    );
    expect(better.length, `${t.id} pruned at ${at} with nobody better`).toBeGreaterThan(0);
  }
  for (const t of trials.filter((x) => x.state === "completed")) {
    const full = await get(t.id);
    expect(full.curve).toHaveLength(sweep.spec.budget.max_epochs);
    expect(full.prunedAt).toBeUndefined();
  }
  expect(sweep.best).toBeDefined();
  const best = await get(sweep.best?.trialId as string);
  expect(best.state).toBe("completed");
  return { trials, pruned };
}

// TPE proposes (constant liar), ASHA prunes on the 3-fold mean of val_accuracy; learning rates
// down to 1e-5 give configs that learn nothing in 9 epochs.
const IRIS_ASHA = `
name: iris-asha
method: tpe
seed: 5
dataset: iris
metric: { name: val_accuracy, goal: maximize }
parameters:
  learning_rate: { distribution: log_uniform_values, min: 0.00001, max: 0.3 }
  optimizer: { values: [adam, sgd] }
model: { hidden: [16], activation: relu }
cv: { folds: 3, stratified: true, seed: 1 }
budget: { max_trials: 14, max_parallel: 4, max_epochs: 9 }
early_terminate: { type: asha, min_resource: 1, reduction_factor: 3 }
`;

describe("pruning on real worker processes", () => {
  const prefix = uniquePrefix("e2e-prune");
  const stack = e2eStackPerSuite({
    prefix,
    workers: ["prune-w1", "prune-w2"],
    workerEnv: { HPO_WORKER_CONCURRENCY: "2" },
  });

  const finished = (api: ReturnType<typeof apiClient>, id: string, timeoutMs: number) => api.ended(id, timeoutMs);

  const getTrial = (sweepId: string) => async (id: string) =>
    (await stack.coordinator.store.getTrial(sweepId, id)) as TrialWithCurve;

  it("tpe + ASHA on iris (tfjs, 3 folds): bad configs are pruned at rungs with partial curves, the best trial completed", async () => {
    const api = apiClient(stack.coordinator.url);
    const sweep = await finished(api, (await api.submit(IRIS_ASHA)).id, 240_000);
    expect(sweep.status).toBe("completed");
    expect(sweep.proposed).toBe(14);
    const { pruned, trials } = await checkInvariants(api, stack.redis, prefix, sweep, getTrial(sweep.id));
    expect(pruned.length).toBeGreaterThan(0);
    // both worker processes trained, so decisions were taken in two processes at once
    expect(new Set(trials.map((t) => t.worker)).size).toBe(2);
    // a pruned trial is listed as such with the rung it stopped at
    const listed = (await api.trials(sweep.id, "state=pruned&limit=1000")).items;
    expect(listed.map((t) => t.id).sort()).toEqual(pruned.map((t) => t.id).sort());
    expect(listed.every((t) => t.prunedAt === 1 || t.prunedAt === 3)).toBe(true);
  });

  it("Hyperband under load (noop trials, 2 processes × 8 jobs): brackets hold, every prune is justified", async () => {
    const noop = await startCoordinator({ prefix: `${prefix}-noop`, mode: "noop" });
    const noopWorkers = await Promise.all(
      ["hb-w1", "hb-w2"].map((name) =>
        startWorkerProcess({
          prefix: `${prefix}-noop`,
          name,
          env: { HPO_WORKER_CONCURRENCY: "8", HPO_TRAINING_THREADS: "1" },
        }),
      ),
    );
    try {
      const api = apiClient(noop.url);
      const submitted = await api.submit(`
name: hb-noop
method: random
seed: 11
dataset: iris
metric: { name: val_accuracy, goal: maximize }
parameters:
  learning_rate: { distribution: log_uniform_values, min: 0.00001, max: 0.3 }
  dropout: { distribution: uniform, min: 0, max: 0.5 }
cv: { folds: 3 }
budget: { max_trials: 120, max_parallel: 16, max_epochs: 27 }
early_terminate: { type: hyperband, min_resource: 1, max_resource: 27, reduction_factor: 3 }
`);
      const sweep = await finished(api, submitted.id, 120_000);
      expect(sweep.status).toBe("completed");
      const get = async (id: string) => (await noop.store.getTrial(sweep.id, id)) as TrialWithCurve;
      const { pruned, trials } = await checkInvariants(api, stack.redis, `${prefix}-noop`, sweep, get);
      expect(pruned.length).toBeGreaterThan(10);
      const hb = createPruner(sweep.spec.early_terminate) as HyperbandPruner;
      // trials of bracket 0 (first rung at epoch 1) can be pruned at epoch 1; others never are
      for (const t of pruned) if (hb.bracketOf(t.id) > 0) expect(t.prunedAt).toBeGreaterThan(1);
      expect(new Set(trials.map((t) => hb.bracketOf(t.id))).size).toBeGreaterThan(1);
    } finally {
      await Promise.all(noopWorkers.map((w) => w.stop()));
      await noop.close();
      await deleteKeysUnder(stack.redis, `${prefix}-noop`);
    }
  });
});
