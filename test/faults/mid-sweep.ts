/**
 * The sweep the Redis fault tests break: a coordinator and two fault workers (see
 * fault-workers.ts) on the Redis at `redisUrl`, a sweep submitted to them, and the wait for the
 * moment to break Redis (4 trials completed, 2 running mid-trial) and for the sweep to end.
 */
import { waitFor } from "@hpo/core/testing";
import type { Store } from "@hpo/store";
import { apiClient } from "../helpers/api.ts";
import { type Proc, startCoordinatorProcess } from "../helpers/processes.ts";
import { startFaultWorker } from "./fault-workers.ts";

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
