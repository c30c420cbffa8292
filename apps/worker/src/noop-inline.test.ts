import { type Params, parseSweepSpec, type TrialJob } from "@hpo/core";
import { jobIdOf } from "@hpo/store";
import { noopTrial } from "@hpo/trainer/noop";
import { afterAll, describe, expect, it } from "vitest";
import { openWorkerTestbed, STUB_MODEL } from "./testing/index.ts";

describe("worker: noop jobs run in the main thread, beside a busy training thread", () => {
  const bed = openWorkerTestbed();
  const { store, queue } = bed;
  const worker = bed.worker("w-noop", { concurrency: 4, threads: 1 });
  afterAll(async () => {
    await worker.close();
    await bed.close();
  });

  it("scores noop trials exactly as noopTrial does, curve included, while the one thread trains", async () => {
    const spec = parseSweepSpec({
      name: "noop-inline",
      dataset: "iris",
      model: { module: STUB_MODEL },
      cv: { folds: 3 },
      budget: { max_epochs: 4 },
    });
    const sweep = await store.createSweep(spec);
    const params: Params[] = [
      { behaviour: "block", blockMs: 6000 },
      { learning_rate: 0.003, batch_size: 32 },
      { learning_rate: 0.1, batch_size: 128 },
      { learning_rate: 0.0001, batch_size: 16 },
    ];
    const trials = await store.proposeTrials(
      sweep.id,
      params.map((p, index) => ({ index, params: p })),
    );
    const jobs: TrialJob[] = trials.map((t, i) => ({
      sweepId: sweep.id,
      trialId: t.id,
      params: t.params,
      dataset: spec.dataset,
      model: spec.model,
      cv: spec.cv,
      metric: spec.metric,
      maxEpochs: 4,
      seed: 11,
      ...(i > 0 && { mode: "noop" as const }), // the first trains (blocks) in the thread
    }));
    await queue.addBulk(
      jobs.map((data) => ({ name: "trial", data, opts: { jobId: jobIdOf(sweep.id, data.trialId) } })),
    );
    await worker.start();

    const noopIds = trials.slice(1).map((t) => t.id);
    const deadline = Date.now() + 20_000;
    for (;;) {
      const states = await Promise.all(noopIds.map(async (id) => (await store.getTrial(sweep.id, id))?.state));
      if (states.every((s) => s === "completed")) break;
      if (Date.now() > deadline) throw new Error(`noop trials not completed: ${states.join(", ")}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    // the thread is still busy with the blocking trial: the noop trials did not wait for it
    expect((await store.getTrial(sweep.id, trials[0]?.id ?? ""))?.state).toBe("running");

    for (const job of jobs.slice(1)) {
      const expected = await noopTrial(job, { report: async () => false });
      const t = await store.getTrial(sweep.id, job.trialId);
      expect(t?.folds.map((f) => f.score)).toEqual(expected.folds.map((f) => f.score));
      expect(t?.curve.map((e) => e.epoch)).toEqual([1, 2, 3, 4]);
      expect(t?.worker).toBe("w-noop");
    }
  });
});
