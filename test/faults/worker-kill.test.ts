/**
 * Fault 1: workers SIGKILLed mid-trial, repeatedly. A killed worker's trial comes back after its
 * lock expires (HPO_LOCK_MS 2 s) and runs to completion on another worker, counted once; a
 * "poison" trial that kills every worker taking it ends `failed` with the reason after the
 * configured number of stalls; the sweep goes on and completes.
 */

import { waitFor } from "@hpo/core/testing";
import { deleteKeysUnder, trialIdOf } from "@hpo/store";
import { uniquePrefix } from "@hpo/store/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient } from "../helpers/api.ts";
import { type InProcessCoordinator, startCoordinator } from "../helpers/coordinator.ts";
import { noopSpecYaml } from "../helpers/noop-spec.ts";
import { type Proc, REDIS_URL } from "../helpers/processes.ts";
import { startFaultWorker } from "./fault-workers.ts";
import { FAULT_MODEL } from "./fixtures/fault-model.ts";
import { checkInvariants } from "./invariants.ts";

const TRIALS = 12;
const EPOCHS = 10;
const POISON = "t0004";
const SPEC = noopSpecYaml({
  name: "faults-worker-kill",
  seed: 11,
  maxTrials: TRIALS,
  maxParallel: 3,
  maxEpochs: EPOCHS,
  module: FAULT_MODEL,
});

describe("workers SIGKILLed mid-trial (fault-model trials of 10 × 150 ms, 2 s locks)", () => {
  const prefix = uniquePrefix("faults-kill");
  let redis: Redis;
  let coordinator: InProcessCoordinator;
  const workers = new Map<string, Proc>();
  const starting = new Set<Promise<void>>();
  let started = 0;

  const addWorker = async () => {
    const name = `kill-w${++started}`;
    workers.set(name, await startFaultWorker({ prefix, name, epochMs: 150, killTrials: [POISON] }));
  };
  /** Starts a replacement in the background (a worker takes ~10 s to start on a busy 2-core box). */
  const replace = () => {
    const p: Promise<void> = addWorker().finally(() => starting.delete(p));
    starting.add(p);
  };

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    coordinator = await startCoordinator({ prefix, mode: "tfjs", tickMs: 500 });
    await Promise.all([addWorker(), addWorker(), addWorker()]);
  });

  afterAll(async () => {
    await Promise.allSettled([...starting]);
    await Promise.all([...workers.values()].map((w) => w.stop("SIGKILL")));
    await coordinator?.close();
    await deleteKeysUnder(redis, prefix);
    await redis.quit();
  });

  it("re-runs killed trials elsewhere once, fails the poison trial with its reason, and completes the sweep", async () => {
    const api = apiClient(coordinator.url);
    const sweep = await api.submit(SPEC);
    const killed: { trialId: string; worker: string }[] = [];

    // kill the worker of a trial that is mid-way (≥ 2 epochs reported), twice, on fresh trials
    for (const trialId of [trialIdOf(1), trialIdOf(6)]) {
      const victim = await waitFor(
        `${trialId} mid-trial`,
        async () => {
          const t = await coordinator.store.getTrial(sweep.id, trialId);
          return t?.state === "running" && t.curve.length >= 2 && t.worker;
        },
        { timeoutMs: 60_000, intervalMs: 50 },
      );
      const proc = workers.get(victim);
      expect(proc, `worker ${victim} of ${trialId}`).toBeDefined();
      await proc?.stop("SIGKILL");
      workers.delete(victim);
      killed.push({ trialId, worker: victim });
      replace();
    }

    // the poison trial kills a worker on each of its 2 runs; replace the dead ones
    let poisoned = 0;
    const done = await waitFor(
      "the sweep to complete",
      async () => {
        for (const [name, w] of workers) {
          if (w.child.exitCode !== null || w.child.signalCode !== null) {
            workers.delete(name);
            poisoned++;
            replace();
          }
        }
        const s = await api.sweep(sweep.id);
        return s.status !== "running" && s;
      },
      { timeoutMs: 120_000, intervalMs: 250 },
    );

    expect(done.status).toBe("completed");
    expect(done.proposed).toBe(TRIALS);
    expect(done.counts).toMatchObject({ completed: TRIALS - 1, failed: 1, queued: 0, running: 0 });

    const poison = await coordinator.store.getTrial(sweep.id, POISON);
    expect(poison?.state).toBe("failed");
    expect(poison?.error).toMatch(/stalled/);
    expect(poison?.folds).toEqual([]);
    // HPO_MAX_STALLED_COUNT=1: run, stall, run again, stall → failed; no third worker died
    expect(poison?.attempts).toBe(2);
    expect(poisoned).toBe(2);

    for (const k of killed) {
      const t = await coordinator.store.getTrial(sweep.id, k.trialId);
      expect(t?.state).toBe("completed");
      expect(t?.worker).not.toBe(k.worker); // re-run by another worker
      expect(t?.attempts).toBe(2);
      // the curve is the re-run's alone: epochs 1..EPOCHS once each
      expect(t?.curve.map((e) => e.epoch)).toEqual(Array.from({ length: EPOCHS }, (_, i) => i + 1));
    }

    const report = await checkInvariants({ redis, prefix, sweepIds: [sweep.id] });
    expect(report[sweep.id]).toEqual({ trials: TRIALS, states: { completed: TRIALS - 1, failed: 1 } });
  });
});
