/** Shorthands tests use in place of methods the store does not need: one call each, through the store. */
import type { EpochReport, Params, TrialRecord } from "@hpo/core";
import type { Redis } from "ioredis";
import { keysFor } from "../keys.ts";
import type { Store } from "../store.ts";

/** Trial `index` of the sweep, created queued unless it exists (`Store.proposeTrials` of one). */
export async function proposeTrial(store: Store, sweepId: string, index: number, params: Params): Promise<TrialRecord> {
  return (await store.proposeTrials(sweepId, [{ index, params }]))[0] as TrialRecord;
}

/** Appends one epoch (`Store.appendEpochs` of one); true when it was appended. */
export async function appendEpoch(
  store: Store,
  sweepId: string,
  trialId: string,
  report: EpochReport,
  run?: string,
): Promise<boolean> {
  return (await store.appendEpochs(sweepId, trialId, [report], run)) === 1;
}

/** Every trial's recorded K-fold mean at `epoch` (the pruners' step hash), read with `redis`. */
export async function stepValues(
  redis: Redis,
  prefix: string,
  sweepId: string,
  epoch: number,
): Promise<Map<string, number>> {
  const h = await redis.hgetall(keysFor(prefix).step(sweepId, epoch));
  return new Map(Object.entries(h).map(([id, v]) => [id, Number(v)]));
}
