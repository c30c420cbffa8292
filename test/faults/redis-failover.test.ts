/**
 * Fault 4: the Redis primary's machine is lost (SIGKILL) mid-sweep in a Sentinel deployment
 * (primary + one replica + three sentinels). A sentinel promotes the replica; the coordinator and
 * both workers, given only the `redis+sentinel://` URL, reconnect to it by themselves; the sweep
 * completes and the invariants hold. Replication is asynchronous, so what the primary had
 * acknowledged but not yet sent to the replica is gone: the test measures it (replication lag in
 * bytes at the kill, completed trials the promoted replica does not have) and checks that every
 * such trial is run again rather than lost.
 */
import type { TrialRecord } from "@hpo/core";
import { waitFor } from "@hpo/core/testing";
import { createStore, type Store } from "@hpo/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { noopSpecYaml } from "../helpers/noop-spec.ts";
import { errorLogs } from "./fault-workers.ts";
import { FAULT_MODEL } from "./fixtures/fault-model.ts";
import { checkInvariants } from "./invariants.ts";
import { type SweepProcesses, startSweepProcesses, submitToMidSweep, waitForSweepEnd } from "./mid-sweep.ts";
import { type SentinelRedis, startSentinelRedis } from "./sentinel-redis.ts";

const TRIALS = 16;
const SPEC = noopSpecYaml({
  name: "faults-failover",
  seed: 33,
  maxTrials: TRIALS,
  maxParallel: 2,
  maxEpochs: 8,
  module: FAULT_MODEL,
});

const replOffset = (info: string, field: string) => Number(new RegExp(`${field}:(\\d+)`).exec(info)?.[1] ?? Number.NaN);

describe("Redis primary SIGKILLed mid-sweep under Sentinel (primary, replica, three sentinels)", () => {
  const prefix = "faults-failover"; // private servers: no one else's keys here
  let redis: SentinelRedis;
  let store: Store;
  let processes: SweepProcesses;

  beforeAll(async () => {
    redis = await startSentinelRedis();
    processes = await startSweepProcesses({ prefix, redisUrl: redis.url, workerName: "failover" });
  });

  afterAll(async () => {
    await processes?.stop();
    await store?.close().catch(() => {});
    await redis?.close();
  });

  it("promotes the replica; every process follows it; the sweep completes with its invariants", async () => {
    store = createStore({ url: redis.url, prefix });
    const { url, sweepId } = await submitToMidSweep(processes.procs, store, SPEC);
    const procs = processes.procs;

    // What the primary has at the moment its machine is lost, read on the primary itself.
    const primary = redis.direct(redis.primaryPort);
    const replica = redis.direct(redis.replicaPort);
    const completedKey = `${prefix}:sweep:${sweepId}:state:completed`;
    const [completedOnPrimary, primaryInfo, replicaInfo] = await Promise.all([
      primary.zrange(completedKey, 0, -1),
      primary.info("replication"),
      replica.info("replication"),
    ]);
    await redis.kill(redis.primaryPort);
    primary.disconnect();
    const killedAt = Date.now();
    const lagBytes = replOffset(primaryInfo, "master_repl_offset") - replOffset(replicaInfo, "slave_repl_offset");

    await waitFor(
      "a sentinel to promote the replica",
      async () => (await redis.currentPrimaryPort()) === redis.replicaPort,
      {
        timeoutMs: 30_000,
        intervalMs: 100,
      },
    );
    const promotedAfterMs = Date.now() - killedAt;
    // The sentinel disconnects the promoted node's clients: ask it on a new connection.
    replica.disconnect();
    const promoted = redis.direct(redis.replicaPort);
    const completedOnPromoted = new Set(
      await waitFor(
        "the promoted replica to answer as primary",
        async () =>
          (await promoted.info("replication")).includes("role:master") && (await promoted.zrange(completedKey, 0, -1)),
        { timeoutMs: 10_000 },
      ),
    );
    promoted.disconnect();
    const lost = completedOnPrimary.filter((id) => !completedOnPromoted.has(id));

    const done = await waitForSweepEnd(store, sweepId, "the sweep to complete on the promoted replica", 120_000);
    const completedAfterMs = Date.now() - killedAt;
    console.info(
      `failover: replication lag at the kill ${lagBytes} bytes; replica promoted after ${promotedAfterMs} ms; ` +
        `${lost.length} of ${completedOnPrimary.length} completed trials missing on the promoted replica (${lost.join(", ") || "none"}); ` +
        `sweep completed ${completedAfterMs} ms after the kill`,
    );
    expect(done.status).toBe("completed");
    expect(done.counts).toMatchObject({ completed: TRIALS, queued: 0, running: 0, failed: 0 });
    // A completed result the failover lost was run again: nothing is missing at the end.
    const final = (await store.listTrials(sweepId, { limit: 1000 })).items;
    const byId = new Map(final.map((t: TrialRecord) => [t.id, t]));
    for (const id of completedOnPrimary) expect(byId.get(id)?.state, id).toBe("completed");

    // The processes followed the promoted replica on their own: none exited, none logged an error it could not recover from.
    for (const p of procs) expect(p.child.exitCode).toBeNull();
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    for (const p of procs) expect(errorLogs(p).filter((m) => /fatal|failed to start/i.test(m))).toEqual([]);

    const client = redis.direct(redis.replicaPort);
    try {
      const report = await checkInvariants({ redis: client, prefix, sweepIds: [sweepId] });
      expect(report[sweepId]).toEqual({ trials: TRIALS, states: { completed: TRIALS } });
    } finally {
      client.disconnect();
    }
  });
});
