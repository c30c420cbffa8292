import { HpoError, type SweepRecord, type SweepSpec } from "@hpo/core";
import { testSpec } from "@hpo/core/testing";
import { createStore, type Store } from "@hpo/store";
import { storePerTest } from "@hpo/store/testing";
import type { ModelExportFiles } from "@hpo/trainer/export";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "./logger.ts";
import { createRefitter, type Refitter } from "./refits.ts";

const logger = createLogger("refits-test", "silent");

/** A sweep with one completed trial (t0000, learning rate 0.05 on iris), marked completed as the scheduler does. */
async function completedSweep(store: Store, spec: SweepSpec, refits: Refitter): Promise<string> {
  const sweep = await store.createSweep(spec);
  await store.proposeTrials(sweep.id, [{ index: 0, params: { learning_rate: 0.05, batch_size: 16 } }]);
  await store.markRunning(sweep.id, "t0000", "w", 1);
  const fold = (f: number) => ({ fold: f, score: 0.9, metrics: { val_accuracy: 0.9 }, epochs: 3, durationMs: 1 });
  await store.finishTrial(sweep.id, "t0000", { state: "completed", folds: [0, 1, 2].map(fold), flags: [] });
  await refits.markPending((await store.getSweep(sweep.id)) as SweepRecord);
  await store.setSweepStatus(sweep.id, "completed", "test");
  return sweep.id;
}

describe("Refitter: the winner's test score and exports (real Redis, refit thread)", () => {
  const stores = storePerTest((prefix, redis) => createStore({ redis, prefix }));
  let refits: Refitter | undefined;
  afterEach(async () => {
    await refits?.close();
  });

  it("marks the test score pending before the sweep completes, then records the refit's score", async () => {
    const store = stores.fresh();
    refits = createRefitter({ store, logger, dataDirs: [], backend: "wasm" });
    const spec = testSpec({ cv: { folds: 3, stratified: true, seed: 1, test_fraction: 0.2 }, seed: 9 });
    const id = await completedSweep(store, spec, refits);
    expect((await store.getSweep(id))?.test).toEqual({ state: "pending", trialId: "t0000", metric: "val_accuracy" });
    expect(await store.pendingTestSweeps()).toEqual([id]);
    await refits.scoreWinner(id);
    const test = (await store.getSweep(id))?.test;
    expect(test).toMatchObject({ state: "done", trialId: "t0000", rows: 30 });
    expect(test?.score).toBe(test?.metrics?.val_accuracy);
    expect(await store.pendingTestSweeps()).toEqual([]);
    // the export of the winner is the refit that was scored (kept in Redis), with its card
    const files = await refits.exportFiles(id);
    expect(files["model-card.json"].test?.score).toBe(test?.score);
    expect(files["model-card.json"].selection).toMatchObject({ mean: 0.9, folds: 3 });
    expect(JSON.parse((await store.getRefit(id, "t0000")) as string).weights).toBe(
      (files as ModelExportFiles)["weights.bin"],
    );
  });

  it("records why the refit failed when the coordinator cannot read the dataset", async () => {
    const store = stores.fresh();
    refits = createRefitter({ store, logger, dataDirs: [], backend: "wasm" });
    const spec = testSpec({
      dataset: { path: "only-on-workers.csv", task: "classification" },
      cv: { folds: 3, stratified: true, seed: 1, test_fraction: 0.2 },
    });
    const id = await completedSweep(store, spec, refits);
    await refits.scoreWinner(id);
    const test = (await store.getSweep(id))?.test;
    expect(test?.state).toBe("failed");
    expect(test?.error).toMatch(/only-on-workers\.csv/);
    await expect(refits.exportFiles(id)).rejects.toMatchObject({ code: "INVALID_DATASET" });
  });

  it("has nothing to score without a test split, and refuses exports that cannot be made", async () => {
    const store = stores.fresh();
    refits = createRefitter({ store, logger, dataDirs: [], backend: "wasm" });
    const id = await completedSweep(store, testSpec(), refits);
    await refits.scoreWinner(id);
    expect((await store.getSweep(id))?.test).toBeUndefined();
    await expect(refits.exportFiles(id, "t0042")).rejects.toThrow(`export sweep "${id}": trial "t0042" not found`);
    await expect(refits.exportFiles("nope")).rejects.toBeInstanceOf(HpoError);
    const empty = await store.createSweep(testSpec());
    await expect(refits.exportFiles(empty.id)).rejects.toMatchObject({ code: "CONFLICT" });
  });
});
