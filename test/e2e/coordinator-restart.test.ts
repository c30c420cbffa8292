import { createCoreProposer } from "@hpo/coordinator";
import { sleep, waitFor } from "@hpo/core/testing";
import { createStore, deleteKeysUnder, jobIdOf, type Store, TRIALS_QUEUE, trialIdOf } from "@hpo/store";
import { uniquePrefix } from "@hpo/store/testing";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient } from "../helpers/api.ts";
import { noopSpecYaml } from "../helpers/noop-spec.ts";
import { type Proc, REDIS_URL, startCoordinatorProcess, startWorkerProcess } from "../helpers/processes.ts";

// many short noop trials, so that "mid-sweep" holds however fast the workers are
const MAX_TRIALS = 600;
const SPEC = noopSpecYaml({
  name: "restart-noop",
  seed: 5,
  maxTrials: MAX_TRIALS,
  maxParallel: 4,
  maxEpochs: 50,
});

describe("a coordinator killed mid-sweep (noop trials, real processes)", () => {
  const prefix = uniquePrefix("e2e-restart");
  let redis: Redis;
  let queue: Queue;
  let store: Store;
  const procs: Proc[] = [];

  beforeAll(() => {
    redis = new Redis(REDIS_URL);
    queue = new Queue(TRIALS_QUEUE, { connection: redis, prefix });
    store = createStore({ redis, prefix });
  });

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop("SIGKILL")));
    await queue.close();
    await store.close();
    await deleteKeysUnder(redis, prefix);
    await redis.quit();
  });

  const coordinator = async () => {
    const c = await startCoordinatorProcess({ prefix, env: { HPO_TRIAL_MODE: "noop" } });
    procs.push(c.proc);
    return c;
  };

  it("is replaced by a new one that carries on from Redis and ends with exactly max_trials trials", async () => {
    // 1. coordinator A enqueues the first trials; no worker yet
    const a = await coordinator();
    const sweep = await apiClient(a.url).submit(SPEC);
    await waitFor("4 trials queued", async () => (await store.getSweep(sweep.id))?.counts.queued === 4);
    // The store records proposals before their jobs are added: wait for the jobs too, or a kill in
    // between leaves fewer than 4 jobs and step 3 below waits for work that was never queued.
    await waitFor("4 jobs waiting", async () => (await queue.getJobCounts("wait")).wait === 4);
    await a.proc.stop("SIGKILL");

    // 2. two jobs get lost while no coordinator runs (e.g. a Redis failover)
    await queue.remove(jobIdOf(sweep.id, "t0000"));
    await queue.remove(jobIdOf(sweep.id, "t0002"));

    // 3. workers run what is left in the queue; nobody proposes more
    procs.push(
      ...(await Promise.all([
        startWorkerProcess({ prefix, name: "restart-w1" }),
        startWorkerProcess({ prefix, name: "restart-w2" }),
      ])),
    );
    await waitFor("the 2 remaining jobs done", async () => (await store.getSweep(sweep.id))?.counts.completed === 2);
    const between = await store.getSweep(sweep.id);
    expect(between?.proposed).toBe(4);
    expect(between?.counts.queued).toBe(2);

    // 4. coordinator B re-enqueues the lost jobs, tops up, and is killed mid-sweep
    const b = await coordinator();
    await waitFor("10 trials completed", async () => ((await store.getSweep(sweep.id))?.counts.completed ?? 0) >= 10, {
      intervalMs: 20,
    });
    await b.proc.stop("SIGKILL");
    const atKill = await store.getSweep(sweep.id);
    expect(atKill?.status).toBe("running");
    expect(atKill?.proposed).toBeLessThan(MAX_TRIALS);
    await sleep(1000);

    // 5. coordinator C finishes the sweep
    const c = await coordinator();
    const done = await apiClient(c.url).ended(sweep.id, 90_000);
    expect(done.status).toBe("completed");
    expect(done.proposed).toBe(MAX_TRIALS);
    expect(done.counts).toMatchObject({ completed: MAX_TRIALS, queued: 0, running: 0, failed: 0 });

    const trials = [
      ...(await store.listTrials(sweep.id, { sort: "index", limit: 1000 })).items,
      ...(await store.listTrials(sweep.id, { sort: "index", offset: 1000, limit: 1000 })).items,
    ];
    expect(trials.map((t) => t.id)).toEqual(Array.from({ length: MAX_TRIALS }, (_, i) => trialIdOf(i)));
    // every trial ran exactly once, and its params are what the sampler proposes for its index
    expect(trials.every((t) => t.attempts === 1)).toBe(true);
    const propose = createCoreProposer();
    for (const t of trials) expect(await propose(sweep.id, done.spec, t.index, async () => [])).toEqual(t.params);
    expect(new Set(trials.map((t) => t.worker))).toEqual(new Set(["restart-w1", "restart-w2"]));
  });
});
