/**
 * Fault 2, complementing test/e2e/coordinator-restart.test.ts (which checks lost jobs and the
 * exact trial ids): the coordinator is SIGKILLed twice while trials are in flight, results land
 * while no coordinator runs (the completed count grows while it is down), no trial runs twice
 * (attempts 1), and the final leaderboard is identical to an undisturbed run of the
 * same seeded sweep: same trials, params, states and fold scores, nothing duplicated or lost.
 */

import type { TrialRecord } from "@hpo/core";
import { waitFor } from "@hpo/core/testing";
import { storePerSuite } from "@hpo/store/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient } from "../helpers/api.ts";
import { noopSpecYaml } from "../helpers/noop-spec.ts";
import { type Proc, startCoordinatorProcess } from "../helpers/processes.ts";
import { startFaultWorker } from "./fault-workers.ts";
import { FAULT_MODEL } from "./fixtures/fault-model.ts";
import { checkInvariants } from "./invariants.ts";

const TRIALS = 20;
const SPEC = noopSpecYaml({
  name: "faults-coordinator-crash",
  seed: 41,
  maxTrials: TRIALS,
  maxParallel: 3,
  maxEpochs: 5,
  extraParams: ["dropout: { distribution: uniform, min: 0, max: 0.5 }"],
  module: FAULT_MODEL,
});

describe("the coordinator SIGKILLed twice mid-sweep", () => {
  const db = storePerSuite("faults-coord");
  const { prefix } = db;
  const procs: Proc[] = [];

  beforeAll(async () => {
    procs.push(
      ...(await Promise.all([
        startFaultWorker({ prefix, name: "coord-w1", epochMs: 100 }),
        startFaultWorker({ prefix, name: "coord-w2", epochMs: 100 }),
      ])),
    );
  });

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop("SIGKILL")));
  });

  const coordinator = async () => {
    const c = await startCoordinatorProcess({ prefix });
    procs.push(c.proc);
    return c;
  };
  const finished = (id: string, url: string) => apiClient(url).ended(id, 90_000);
  const completed = async (id: string) => (await db.store.getSweep(id))?.counts.completed ?? 0;
  const completedAtLeast = (id: string, n: number) =>
    waitFor(`${n} trials of ${id} completed`, async () => (await completed(id)) >= n, {
      timeoutMs: 60_000,
      intervalMs: 20,
    });
  /** Waits (no coordinator running) until a trial of `id` completes: results land without one. */
  const completesWhileDown = async (id: string) => {
    const before = await completed(id);
    await waitFor(
      `a trial of ${id} to complete with no coordinator up (${before} before)`,
      async () => (await completed(id)) > before,
      {
        timeoutMs: 30_000,
        intervalMs: 20,
      },
    );
  };
  const board = async (id: string) =>
    (await db.store.listTrials(id, { sort: "index", limit: 1000 })).items.map((t: TrialRecord) => ({
      id: t.id,
      params: t.params,
      state: t.state,
      attempts: t.attempts, // 1: no trial was run again because the coordinator died
      scores: t.folds.map((f) => f.score),
      mean: t.mean,
    }));

  it("ends with the same leaderboard as an undisturbed run of the same sweep", async () => {
    const a = await coordinator();
    const undisturbed = await apiClient(a.url).submit(SPEC);
    expect((await finished(undisturbed.id, a.url)).status).toBe("completed");

    const disturbed = await apiClient(a.url).submit(SPEC);
    await completedAtLeast(disturbed.id, 4);
    await a.proc.stop("SIGKILL");
    await completesWhileDown(disturbed.id); // in-flight trials finish and write their results
    const b = await coordinator();
    await completedAtLeast(disturbed.id, 11);
    await b.proc.stop("SIGKILL");
    await completesWhileDown(disturbed.id);
    const c = await coordinator();
    const done = await finished(disturbed.id, c.url);

    expect(done.status).toBe("completed");
    expect(done.proposed).toBe(TRIALS);
    expect(done.counts).toMatchObject({ completed: TRIALS, queued: 0, running: 0, failed: 0 });
    const expected = await board(undisturbed.id);
    expect(expected).toHaveLength(TRIALS);
    expect(expected.map((t) => t.attempts)).toEqual(expected.map(() => 1));
    expect(await board(disturbed.id)).toEqual(expected);
    // both read through the API, which adds the best's confidence interval to what the store keeps
    expect(done.best).toEqual((await apiClient(c.url).sweep(undisturbed.id)).best);

    const report = await checkInvariants({ redis: db.redis, prefix, sweepIds: [undisturbed.id, disturbed.id] });
    expect(report[disturbed.id]).toEqual(report[undisturbed.id]);
  });
});
