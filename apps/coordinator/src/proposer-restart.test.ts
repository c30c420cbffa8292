import { createSampler, type Params, samplerRng } from "@hpo/core";
import { testSpec } from "@hpo/core/testing";
import { createStore, deleteKeysUnder, type Store } from "@hpo/store";
import { TEST_REDIS_URL, uniquePrefix } from "@hpo/store/testing";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { createLogger } from "./logger.ts";
import { createCoreProposer } from "./proposer.ts";
import { createScheduler } from "./scheduler.ts";

const SPEC = (maxTrials: number) =>
  testSpec({
    name: "tpe-restart",
    method: "tpe",
    seed: 17,
    parameters: {
      learning_rate: { distribution: { kind: "log_uniform_values", min: 0.0001, max: 0.3 } },
      dropout: { distribution: { kind: "uniform", min: 0, max: 0.5 } },
      optimizer: { distribution: { kind: "categorical", values: ["adam", "sgd", "rmsprop"] } },
      batch_size: { distribution: { kind: "int_uniform", min: 8, max: 128 } },
    },
    budget: { max_trials: maxTrials, max_parallel: 5, max_epochs: 5 },
  });

/** 14 completed trials (score from the params) and 2 running ones: TPE past its start-up, with liars. */
async function seed(store: Store, maxTrials: number): Promise<string> {
  const spec = SPEC(maxTrials);
  const sweep = await store.createSweep(spec);
  const random = createSampler("random");
  const trials = Array.from({ length: 16 }, (_, index) => ({
    index,
    params: random.sample({ spec, index, rng: samplerRng({ seed: 99 }, index), trials: [] }) as Params,
  }));
  await store.proposeTrials(sweep.id, trials);
  for (const { index, params } of trials) {
    const id = `t${String(index).padStart(4, "0")}`;
    await store.markRunning(sweep.id, id, "w", 1);
    if (index >= 14) continue; // still running: constant liar
    const score = 1 - Math.abs(Math.log10(params.learning_rate as number) + 2) / 4;
    await store.finishTrial(sweep.id, id, {
      state: "completed",
      folds: [0, 1, 2].map((fold) => ({ fold, score, metrics: {}, epochs: 5, durationMs: 1 })),
      flags: [],
    });
  }
  return sweep.id;
}

describe("TPE proposals depend only on what is stored (coordinator restarts)", () => {
  const redis = new Redis(TEST_REDIS_URL);
  const prefixes: string[] = [];
  afterAll(async () => {
    for (const prefix of prefixes) await deleteKeysUnder(redis, prefix);
    await redis.quit();
  });

  const coordinator = async (store: Store, prefix: string, sweepId: string) => {
    // a fresh scheduler and proposer: nothing survives but Redis
    const scheduler = createScheduler({
      store,
      redisUrl: TEST_REDIS_URL,
      prefix,
      logger: createLogger("restart-test", "silent"),
      propose: createCoreProposer(),
      tickMs: 60_000,
    });
    await scheduler.reconcile(sweepId);
    await scheduler.close();
  };

  const proposed = async (store: Store, sweepId: string) =>
    (await store.listTrials(sweepId, { sort: "index", limit: 100 })).items.filter((t) => t.index >= 16);

  it("three proposals in one pass equal three proposals each made by a restarted coordinator", async () => {
    const pa = uniquePrefix();
    const pb = uniquePrefix();
    prefixes.push(pa, pb);
    const a = createStore({ redis, prefix: pa });
    const b = createStore({ redis, prefix: pb });

    // A: one pass proposes 16, 17, 18 (max_parallel 5, 2 running)
    const sa = await seed(a, 19);
    await coordinator(a, pa, sa);
    const batch = await proposed(a, sa);
    expect(batch.map((t) => t.index)).toEqual([16, 17, 18]);

    // B: the same stored state, but one proposal per coordinator life (max_trials grows by one)
    const sb = await seed(b, 17);
    await coordinator(b, pb, sb);
    for (let i = 0; i < 2; i++) {
      await b.extendSweep(sb, { trials: 1 });
      await coordinator(b, pb, sb);
    }
    const oneByOne = await proposed(b, sb);
    expect(oneByOne.map((t) => t.params)).toEqual(batch.map((t) => t.params));

    // the running trials are liars: the three proposals differ from one another
    expect(new Set(batch.map((t) => JSON.stringify(t.params))).size).toBe(3);
    // and a restart changes nothing already proposed
    await coordinator(a, pa, sa);
    expect((await proposed(a, sa)).map((t) => t.params)).toEqual(batch.map((t) => t.params));
  });
});
