/**
 * The sweep the Redis fault tests break: a coordinator and two fault workers (see
 * fault-workers.ts) on the Redis at `redisUrl`, a sweep submitted to them, and the wait for the
 * moment to break Redis (4 trials completed, 2 running mid-trial) and for the sweep to end.
 * `midSweepFault` puts these together as the hooks of one test file.
 */
import { waitFor } from "@hpo/core/testing";
import { createStore, type Store } from "@hpo/store";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, expect } from "vitest";
import { apiClient } from "../helpers/api.ts";
import { noopSpecYaml } from "../helpers/noop-spec.ts";
import { type Proc, startCoordinatorProcess } from "../helpers/processes.ts";
import { startFaultWorker } from "./fault-workers.ts";
import { FAULT_MODEL } from "./fixtures/fault-model.ts";
import { checkInvariants } from "./invariants.ts";

/** How many trials the sweep of `midSweepSpec` has. */
export const MID_SWEEP_TRIALS = 16;

/** The sweep a Redis fault test breaks: 16 trials of the fault model, 2 at a time, 8 epochs each. */
export function midSweepSpec(name: string, seed: number): string {
  return noopSpecYaml({ name, seed, maxTrials: MID_SWEEP_TRIALS, maxParallel: 2, maxEpochs: 8, module: FAULT_MODEL });
}

/** The processes of a mid-sweep fault test. */
export interface SweepProcesses {
  /** The coordinator first, then the two workers. */
  readonly procs: Proc[];
  /** SIGKILLs every process; never throws. */
  stop(): Promise<void>;
}

/**
 * Starts a coordinator and two fault workers (`<workerName>-w1`, `<workerName>-w2`, 100 ms
 * epochs) on `redisUrl` under `prefix`. Resolves when all three are up; throws what a start threw.
 */
export async function startSweepProcesses(opts: {
  prefix: string;
  redisUrl: string;
  workerName: string;
}): Promise<SweepProcesses> {
  const { prefix, workerName } = opts;
  const env = { REDIS_URL: opts.redisUrl };
  const procs = await Promise.all([
    startCoordinatorProcess({ prefix, env }).then((c) => c.proc),
    startFaultWorker({ prefix, name: `${workerName}-w1`, epochMs: 100, env }),
    startFaultWorker({ prefix, name: `${workerName}-w2`, epochMs: 100, env }),
  ]);
  return {
    procs,
    stop: async () => {
      await Promise.all(procs.map((p) => p.stop("SIGKILL")));
    },
  };
}

/**
 * Submits `specYaml` to the coordinator (`procs[0]`) and waits (60 s at most), reading through
 * `store`, until 4 trials have completed and 2 are running. Resolves with the coordinator's base
 * URL and the sweep id; throws if the submit fails or the wait times out.
 */
export async function submitToMidSweep(
  procs: readonly Proc[],
  store: Store,
  specYaml: string,
): Promise<{ url: string; sweepId: string }> {
  const coordinator = procs[0] as Proc;
  const url = String(coordinator.logs().find((r) => r.msg === "coordinator listening")?.url);
  const sweep = await apiClient(url).submit(specYaml);
  await waitFor(
    "4 trials completed and 2 running mid-trial",
    async () => {
      const s = await store.getSweep(sweep.id);
      return (s?.counts.completed ?? 0) >= 4 && s?.counts.running === 2;
    },
    { timeoutMs: 60_000, intervalMs: 50 },
  );
  return { url, sweepId: sweep.id };
}

/**
 * Waits until the sweep is no longer running, reading through `store` and treating read errors
 * (Redis down) as "not yet". Resolves with the sweep record; throws after `timeoutMs`.
 */
export async function waitForSweepEnd(store: Store, sweepId: string, what: string, timeoutMs: number) {
  return waitFor(
    what,
    async () => {
      const s = await store.getSweep(sweepId).catch(() => undefined);
      return s && s.status !== "running" && s;
    },
    { timeoutMs, intervalMs: 250 },
  );
}

/** A Redis deployment of a fault test: where to connect, and how to stop it. */
export interface FaultRedis {
  readonly url: string;
  close(): Promise<void>;
}

/** A sweep brought to the moment to break Redis (4 trials completed, 2 running). */
export interface MidSweep {
  /** A store on the fault test's Redis, under its prefix (closed by the hooks). */
  readonly store: Store;
  /** The coordinator first, then the two workers. */
  readonly procs: readonly Proc[];
  /** The coordinator's base URL. */
  readonly url: string;
  readonly sweepId: string;
}

/**
 * Registers the hooks of a Redis fault test in the calling `describe`: beforeAll starts Redis
 * with `startRedis`, then a coordinator and two fault workers (`startSweepProcesses`) on it under
 * `prefix`; afterAll SIGKILLs the processes, closes the store and closes Redis. `redis()` is the
 * deployment once beforeAll has run; `reachMidSweep(spec)` submits a sweep and resolves when it is
 * mid-sweep (`submitToMidSweep`).
 */
export function midSweepFault<R extends FaultRedis>(opts: {
  prefix: string;
  workerName: string;
  startRedis: () => Promise<R>;
}): { redis(): R; reachMidSweep(specYaml: string): Promise<MidSweep> } {
  const { prefix, workerName } = opts;
  let redis: R | undefined;
  let processes: SweepProcesses | undefined;
  let store: Store | undefined;
  beforeAll(async () => {
    redis = await opts.startRedis();
    processes = await startSweepProcesses({ prefix, redisUrl: redis.url, workerName });
  });
  afterAll(async () => {
    await processes?.stop();
    await store?.close().catch(() => {});
    await redis?.close();
  });
  const started = () => {
    if (!redis || !processes) throw new Error("midSweepFault: Redis and the processes start in beforeAll");
    return { redis, processes };
  };
  return {
    redis: () => started().redis,
    reachMidSweep: async (specYaml) => {
      const { redis, processes } = started();
      store = createStore({ url: redis.url, prefix });
      const { url, sweepId } = await submitToMidSweep(processes.procs, store, specYaml);
      return { store, procs: processes.procs, url, sweepId };
    },
  };
}

/**
 * Checks the store invariants of one sweep (invariants.ts) through `client`, which it disconnects
 * when done, and expects `trials` trials, all completed. Throws (fails the test) otherwise.
 */
export async function expectAllCompleted(client: Redis, prefix: string, sweepId: string, trials: number) {
  try {
    const report = await checkInvariants({ redis: client, prefix, sweepIds: [sweepId] });
    expect(report[sweepId]).toEqual({ trials, states: { completed: trials } });
  } finally {
    client.disconnect();
  }
}
