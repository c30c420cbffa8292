/**
 * Fault 3: Redis crashes (SIGKILL) mid-sweep and comes back on the same port with its AOF
 * (`appendfsync everysec`). The coordinator and the workers reconnect by themselves; results
 * completed before the crash survive unchanged; trials in flight at the crash are redone, not
 * lost; the sweep completes and the invariants hold.
 */
import type { TrialRecord } from "@hpo/core";
import { sleep } from "@hpo/core/testing";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { expectAllCompleted, MID_SWEEP_TRIALS, midSweepFault, midSweepSpec, waitForSweepEnd } from "./mid-sweep.ts";
import { startPrivateRedis } from "./private-redis.ts";

const TRIALS = MID_SWEEP_TRIALS;
const SPEC = midSweepSpec("faults-redis-restart", 21);

describe("Redis killed and restarted mid-sweep (private redis-server, AOF everysec)", () => {
  const prefix = "faults-redis"; // a private server: no one else's keys here
  const fault = midSweepFault({ prefix, workerName: "redis", startRedis: () => startPrivateRedis() });

  it("reconnects everything, keeps completed results, redoes in-flight trials, and completes the sweep", async () => {
    const redis = fault.redis();
    // some trials completed, two in flight
    const { store, procs, url, sweepId } = await fault.reachMidSweep(SPEC);
    const before = (await store.listTrials(sweepId, { state: "completed", limit: 1000 })).items;
    const inFlight = (await store.listTrials(sweepId, { state: "running", limit: 1000 })).items.map((t) => t.id);
    await sleep(1500); // past the AOF fsync period: what is above is on disk

    await redis.kill("SIGKILL");
    await sleep(2000);
    await redis.start();

    const done = await waitForSweepEnd(store, sweepId, "the sweep to complete after the restart", 90_000);
    expect(done.status).toBe("completed");
    expect(done.counts).toMatchObject({ completed: TRIALS, queued: 0, running: 0, failed: 0 });

    // completed results survived unchanged
    const strip = (t: TrialRecord) => ({ id: t.id, folds: t.folds, mean: t.mean, worker: t.worker });
    for (const t of before) expect(strip((await store.getTrial(sweepId, t.id)) as TrialRecord)).toEqual(strip(t));
    // in-flight trials were finished (by their worker after reconnecting, or re-run)
    for (const id of inFlight) expect((await store.getTrial(sweepId, id))?.state).toBe("completed");

    // the processes reconnected on their own (none exited) and the API answers
    for (const p of procs) expect(p.child.exitCode).toBeNull();
    expect((await fetch(`${url}/healthz`)).status).toBe(200);

    await expectAllCompleted(new Redis(redis.url), prefix, sweepId, TRIALS);
  });
});
