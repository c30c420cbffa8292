import { testSpec } from "@hpo/core/testing";
import { describe, expect, it } from "vitest";
import { createStore } from "./store.ts";
import { proposeTrial, storePerTest } from "./testing/index.ts";

const fold = (f: number, score: number) => ({ fold: f, score, metrics: {}, epochs: 2, durationMs: 1 });

describe("the selection phase's writes", () => {
  const stores = storePerTest((prefix, redis) => createStore({ redis, prefix }));

  async function sweepWithTwo() {
    const store = stores.fresh();
    const sweep = await store.createSweep(testSpec({ select: { top: 2, repeats: 1 } }));
    for (const [index, scores] of [
      [0, [0.9, 0.92, 0.94]],
      [1, [0.89, 0.9, 0.91]],
    ] as const) {
      const t = await proposeTrial(store, sweep.id, index, { lr: 0.01 });
      await store.markRunning(sweep.id, t.id, "w", 1, "r");
      await store.finishTrial(
        sweep.id,
        t.id,
        { state: "completed", folds: scores.map((s, f) => fold(f, s)), flags: [] },
        "r",
      );
    }
    return { store, sweep };
  }

  it("starts once: a second start keeps the first list", async () => {
    const { store, sweep } = await sweepWithTwo();
    expect(await store.startSelection(sweep.id, ["t0000", "t0001"])).toEqual(["t0000", "t0001"]);
    expect(await store.startSelection(sweep.id, ["t0001"])).toEqual(["t0000", "t0001"]);
    expect((await store.getSweep(sweep.id))?.selection).toEqual(["t0000", "t0001"]);
  });

  it("merges the new folds, recomputes the mean and moves the best when it drops, once", async () => {
    const { store, sweep } = await sweepWithTwo();
    expect((await store.getSweep(sweep.id))?.best?.trialId).toBe("t0000");
    // t0000's next repeat (folds 3–5) is worse: mean (0.9 + 0.92 + 0.94 + 0.84 + 0.86 + 0.88) / 6 = 0.89
    const extra = [fold(3, 0.84), fold(4, 0.86), fold(5, 0.88)];
    expect(await store.finishSelection(sweep.id, "t0000", { folds: extra, repeats: 1 })).toBe(true);
    const t = await store.getTrial(sweep.id, "t0000");
    expect(t?.folds.map((f) => f.fold)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(t?.mean).toBeCloseTo(0.89, 12);
    expect(t?.selected).toBe(1);
    const after = await store.getSweep(sweep.id);
    expect(after?.best).toMatchObject({ trialId: "t0001", mean: expect.closeTo(0.9, 12) });
    const page = await store.listTrials(sweep.id, { sort: "score" });
    expect(page.items.map((i) => i.id)).toEqual(["t0001", "t0000"]);
    // a replayed job changes nothing twice
    expect(await store.finishSelection(sweep.id, "t0000", { folds: [fold(3, 0.99)], repeats: 1 })).toBe(false);
    expect((await store.getTrial(sweep.id, "t0000"))?.mean).toBeCloseTo(0.89, 12);
  });

  it("records why a trial could not be re-evaluated, its folds untouched", async () => {
    const { store, sweep } = await sweepWithTwo();
    expect(await store.finishSelection(sweep.id, "t0001", { error: "out of memory" })).toBe(true);
    const t = await store.getTrial(sweep.id, "t0001");
    expect(t?.selectionError).toBe("out of memory");
    expect(t?.folds).toHaveLength(3);
    expect(t?.selected).toBeUndefined();
    expect(await store.finishSelection(sweep.id, "t0001", { folds: [fold(3, 0.9)], repeats: 1 })).toBe(false);
  });

  it("refuses folds the trial already has (a runner that ignored repeatRange), keeping its own", async () => {
    const { store, sweep } = await sweepWithTwo();
    expect(await store.finishSelection(sweep.id, "t0000", { folds: [fold(0, 0.1), fold(1, 0.1)], repeats: 1 })).toBe(
      true,
    );
    const t = await store.getTrial(sweep.id, "t0000");
    expect(t?.selectionError).toBe("the selection run returned folds the trial already has (0, 1)");
    expect(t?.folds.map((f) => f.score)).toEqual([0.9, 0.92, 0.94]);
    expect((await store.getSweep(sweep.id))?.best?.trialId).toBe("t0000");
  });
});
