/**
 * Fault 3: Redis crashes (SIGKILL) mid-sweep and comes back on the same port with its AOF
 * (`appendfsync everysec`). The coordinator and the workers reconnect by themselves; results
 * completed before the crash survive unchanged; trials in flight at the crash are redone, not
 * lost; the sweep completes and the invariants hold.
 */
import type { TrialRecord } from "@hpo/core";
import { sleep, waitFor } from "@hpo/core/testing";
import { createStore, type Store } from "@hpo/store";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient } from "../helpers/api.ts";
import { noopSpecYaml } from "../helpers/noop-spec.ts";
import { type Proc, startCoordinatorProcess } from "../helpers/processes.ts";
import { startFaultWorker } from "./fault-workers.ts";
import { checkInvariants } from "./invariants.ts";
import { type PrivateRedis, startPrivateRedis } from "./private-redis.ts";

const TRIALS = 16;
const SPEC = noopSpecYaml({
  name: "faults-redis-restart",
  seed: 21,
  maxTrials: TRIALS,
  maxParallel: 2,
  maxEpochs: 8,
});

describe("Redis killed and restarted mid-sweep (private redis-server, AOF everysec)", () => {
  const prefix = "faults-redis"; // a private server: no one else's keys here
  let redis: PrivateRedis;
  let store: Store;
  const procs: Proc[] = [];

  beforeAll(async () => {
    redis = await startPrivateRedis();
    const env = { REDIS_URL: redis.url };
    const [coordinator, ...workers] = await Promise.all([
      startCoordinatorProcess({ prefix, env }).then((c) => c.proc),
      startFaultWorker({ prefix, name: "redis-w1", epochMs: 100, env }),
      startFaultWorker({ prefix, name: "redis-w2", epochMs: 100, env }),
    ]);
    procs.push(coordinator, ...workers);
  });

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop("SIGKILL")));
    await store?.close().catch(() => {});
    await redis?.close();
  });

  it("reconnects everything, keeps completed results, redoes in-flight trials, and completes the sweep", async () => {
    const coordinator = procs[0] as Proc;
    const url = String(coordinator.logs().find((r) => r.msg === "coordinator listening")?.url);
    const api = apiClient(url);
    store = createStore({ url: redis.url, prefix });
    const sweep = await api.submit(SPEC);

    // some trials completed, two in flight
    await waitFor(
      "4 trials completed and 2 running mid-trial",
      async () => {
        const s = await store.getSweep(sweep.id);
        return (s?.counts.completed ?? 0) >= 4 && s?.counts.running === 2;
      },
      { timeoutMs: 60_000, intervalMs: 50 },
    );
    const before = (await store.listTrials(sweep.id, { state: "completed", limit: 1000 })).items;
    const inFlight = (await store.listTrials(sweep.id, { state: "running", limit: 1000 })).items.map((t) => t.id);
    await sleep(1500); // past the AOF fsync period: what is above is on disk

    await redis.kill("SIGKILL");
    await sleep(2000);
    await redis.start();

    const done = await waitFor(
      "the sweep to complete after the restart",
      async () => {
        const s = await store.getSweep(sweep.id).catch(() => undefined);
        return s && s.status !== "running" && s;
      },
      { timeoutMs: 90_000, intervalMs: 250 },
    );
    expect(done.status).toBe("completed");
    expect(done.counts).toMatchObject({ completed: TRIALS, queued: 0, running: 0, failed: 0 });

    // completed results survived unchanged
    const strip = (t: TrialRecord) => ({ id: t.id, folds: t.folds, mean: t.mean, worker: t.worker });
    for (const t of before) expect(strip((await store.getTrial(sweep.id, t.id)) as TrialRecord)).toEqual(strip(t));
    // in-flight trials were finished (by their worker after reconnecting, or re-run)
    for (const id of inFlight) expect((await store.getTrial(sweep.id, id))?.state).toBe("completed");

    // the processes reconnected on their own (none exited) and the API answers
    for (const p of procs) expect(p.child.exitCode).toBeNull();
    expect((await fetch(`${url}/healthz`)).status).toBe(200);

    const client = new Redis(redis.url);
    try {
      const report = await checkInvariants({ redis: client, prefix, sweepIds: [sweep.id] });
      expect(report[sweep.id]).toEqual({ trials: TRIALS, states: { completed: TRIALS } });
    } finally {
      client.disconnect();
    }
  });
});
