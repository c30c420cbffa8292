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
import { describe, expect, it } from "vitest";
import { errorLogs } from "./fault-workers.ts";
import { expectAllCompleted, MID_SWEEP_TRIALS, midSweepFault, midSweepSpec, waitForSweepEnd } from "./mid-sweep.ts";
import { startSentinelRedis } from "./sentinel-redis.ts";

const TRIALS = MID_SWEEP_TRIALS;
const SPEC = midSweepSpec("faults-failover", 33);

const replOffset = (info: string, field: string) => Number(new RegExp(`${field}:(\\d+)`).exec(info)?.[1] ?? Number.NaN);

describe("Redis primary SIGKILLed mid-sweep under Sentinel (primary, replica, three sentinels)", () => {
  const prefix = "faults-failover"; // private servers: no one else's keys here
  const fault = midSweepFault({ prefix, workerName: "failover", startRedis: startSentinelRedis });

  it("promotes the replica; every process follows it; the sweep completes with its invariants", async () => {
    const redis = fault.redis();
    const { store, procs, url, sweepId } = await fault.reachMidSweep(SPEC);

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

    await expectAllCompleted(redis.direct(redis.replicaPort), prefix, sweepId, TRIALS);
  });
});
