/**
 * Fault 4: a worker host cut off from the network mid-trial. Worker A runs in its own network
 * namespace (veth pair to a private /30; Redis listens on the host end only), worker B in the
 * test's namespace. A's link goes down while A trains; its lock expires; B re-runs the trial.
 * When A's link comes back (while B is still training that trial), A's late epochs and result
 * reach Redis and are ignored: the trial ends with B's curve and result, counted once.
 */

import { waitFor } from "@hpo/core/testing";
import { createStore, type Store } from "@hpo/store";
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { apiClient } from "../helpers/api.ts";
import { describeNeeding } from "../helpers/needs.ts";
import { type Proc, startCoordinatorProcess } from "../helpers/processes.ts";
import { FAULT_LOCK_ENV, startFaultWorker } from "./fault-workers.ts";
import { FAULT_MODEL, FAULT_MODEL_DIR } from "./fixtures/fault-model.ts";
import { checkInvariants } from "./invariants.ts";
import { createNetns, type Netns, netnsUnavailable } from "./netns.ts";
import { type PrivateRedis, startPrivateRedis } from "./private-redis.ts";

const EPOCHS = 20;
const SPEC = `
name: faults-partition
method: random
seed: 31
dataset: iris
parameters:
  learning_rate: { distribution: log_uniform_values, min: 0.0001, max: 0.1 }
model: { module: ${FAULT_MODEL} }
cv: { folds: 3 }
budget: { max_trials: 3, max_parallel: 2, max_epochs: ${EPOCHS} }
`;

describeNeeding("root and ip netns", netnsUnavailable())("a worker cut off from the network mid-trial", () => {
  const prefix = "faults-partition"; // private redis-server
  let netns: Netns;
  let redis: PrivateRedis;
  let store: Store;
  let coordinatorUrl = "";
  let cutOff: Proc;
  let healthy: Proc;
  const procs: Proc[] = [];

  beforeAll(async () => {
    netns = createNetns();
    redis = await startPrivateRedis({ host: netns.hostIp });
    const env = { REDIS_URL: redis.url };
    cutOff = netns.spawnTs("apps/worker/src/main.ts", {
      ...FAULT_LOCK_ENV,
      REDIS_URL: redis.url,
      HPO_PREFIX: prefix,
      HPO_WORKER_NAME: "cut-off",
      HPO_BACKEND: "cpu",
      HPO_MODEL_DIRS: FAULT_MODEL_DIR,
      FAULT_EPOCH_MS: "200",
    });
    procs.push(cutOff);
    const [coordinator, b] = await Promise.all([
      startCoordinatorProcess({ prefix, env }),
      startFaultWorker({ prefix, name: "healthy", epochMs: 200, env }),
      cutOff.waitForLog((r) => r.msg === "worker taking jobs", "worker ready", 60_000),
    ]);
    procs.push(coordinator.proc, b);
    healthy = b;
    coordinatorUrl = coordinator.url;
    store = createStore({ url: redis.url, prefix });
  });

  afterAll(async () => {
    netns?.restore();
    await Promise.all(procs.map((p) => p.stop("SIGKILL")));
    await store?.close();
    await redis?.close();
    netns?.close();
  });

  it("re-runs the trial on the healthy worker and ignores the stale worker's late result", async () => {
    const api = apiClient(coordinatorUrl);
    const sweep = await api.submit(SPEC);

    const trialId = await waitFor(
      "a trial mid-way on the cut-off worker",
      async () => {
        const running = (await store.listTrials(sweep.id, { state: "running" })).items;
        for (const t of running) {
          const full = await store.getTrial(sweep.id, t.id);
          if (full?.worker === "cut-off" && full.curve.length >= 2) return t.id;
        }
        return undefined;
      },
      { timeoutMs: 60_000, intervalMs: 50 },
    );
    netns.cut();

    // its lock expires (2 s) and the healthy worker takes the trial over
    await waitFor(
      `${trialId} re-run by the healthy worker`,
      async () => {
        const t = await store.getTrial(sweep.id, trialId);
        return t?.state === "running" && t.worker === "healthy" && t.curve.length >= 1;
      },
      { timeoutMs: 60_000, intervalMs: 50 },
    );
    netns.restore();

    // the cut-off worker's result for that trial arrives late and is ignored
    await cutOff.waitForLog(
      (r) => r.trialId === trialId && r.msg === "trial finished",
      `the cut-off worker finishing ${trialId}`,
      60_000,
    );
    expect(cutOff.logs().some((r) => r.trialId === trialId && String(r.msg).startsWith("result ignored"))).toBe(true);

    const done = await api.ended(sweep.id, 60_000);
    expect(done.counts).toMatchObject({ completed: 3, queued: 0, running: 0, failed: 0 });

    const t = await store.getTrial(sweep.id, trialId);
    expect(t).toMatchObject({ state: "completed", worker: "healthy", attempts: 2 });
    expect(t?.curve.map((e) => e.epoch)).toEqual(Array.from({ length: EPOCHS }, (_, i) => i + 1));
    expect(
      healthy.logs().some((r) => r.trialId === trialId && r.msg === "trial finished" && r.state === "completed"),
    ).toBe(true);

    const client = new Redis(redis.url);
    try {
      const report = await checkInvariants({ redis: client, prefix, sweepIds: [sweep.id] });
      expect(report[sweep.id]).toEqual({ trials: 3, states: { completed: 3 } });
    } finally {
      client.disconnect();
    }
  });
});
