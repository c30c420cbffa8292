/**
 * One bad trial must never poison a worker (issue 18), with real processes: a coordinator process
 * (main.ts, HPO_TRIAL_MEMORY_MB=4096) and one worker process training for real on wasm.
 * 1. The first sweep (digits, hidden [4096 × 8]) is refused at submit with a 400 that
 *    names the parameters and the estimate.
 * 2. A trial that bypasses the submit check (its sweep written straight into the store, so the
 *    scheduler enqueues it) asks the real trainer for more than the wasm heap can hold
 *    (fixtures/huge-trial.ts: 5.4 GB of activations in one step). Its training
 *    thread faults for real (`memory access out of bounds`); the worker replaces the thread,
 *    retries the trial once, and fails it `out of memory: …` when it faults again.
 * 3. The same worker process then runs the 20 trials of examples/iris-random.yaml (5 epochs
 *    each): all complete. The fault suite's invariants hold for both sweeps.
 */
import { readFileSync } from "node:fs";
import type { ApiErrorBody, Page, SweepRecord } from "@hpo/core";
import { waitFor } from "@hpo/core/testing";
import { createStore, deleteKeysUnder, type Store } from "@hpo/store";
import { uniquePrefix } from "@hpo/store/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { apiClient } from "../helpers/api.ts";
import { type Proc, REDIS_URL, REPO_ROOT, startCoordinatorProcess, startWorkerProcess } from "../helpers/processes.ts";
import { DEEP_SWEEP, HUGE_TRIAL_SPEC } from "./fixtures/huge-trial.ts";
import { checkInvariants } from "./invariants.ts";

describe("a runtime fault in a training thread (real wasm fault, real processes)", () => {
  const prefix = uniquePrefix("faults-runtime");
  let redis: Redis;
  let store: Store;
  let coordinator: { proc: Proc; url: string };
  let worker: Proc;

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    store = createStore({ redis, prefix });
    [coordinator, worker] = await Promise.all([
      startCoordinatorProcess({ prefix, env: { HPO_TRIAL_MEMORY_MB: "4096" } }),
      startWorkerProcess({ prefix, name: "fault-w1", env: { HPO_BACKEND: "wasm", HPO_CLOSE_GRACE_MS: "3000" } }),
    ]);
  });

  afterAll(async () => {
    await worker?.stop("SIGKILL");
    await coordinator?.proc.stop("SIGKILL");
    await store?.close();
    await deleteKeysUnder(redis, prefix);
    await redis.quit();
  });

  it("refuses the too-big sweep at submit, survives a real wasm fault, then completes the next 20 trials", async () => {
    const api = apiClient(coordinator.url);

    // 1. refused at submit, naming the layout and the estimate
    const res = await fetch(`${coordinator.url}/api/sweeps`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(DEEP_SWEEP),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as ApiErrorBody;
    expect(body.error.code).toBe("INVALID_SPEC");
    expect(body.error.message).toMatch(
      /^sweep "deep-digits": hidden \[4096 × 8\] with batch_size 32, 5 folds and adam needs about \d+\.\d GB; this fleet allows 4\.0 GB per trial \(HPO_TRIAL_MEMORY_MB\)$/,
    );
    const listed = (await (await fetch(`${coordinator.url}/api/sweeps`)).json()) as Page<SweepRecord>;
    expect(listed.items.map((s) => s.name)).not.toContain("deep-digits");

    // 2. a real wasm fault: the thread is replaced, the trial retried once, then failed
    const huge = await store.createSweep(HUGE_TRIAL_SPEC);
    const failed = await waitFor(
      "the huge trial to fail",
      async () => {
        const t = await store.getTrial(huge.id, "t0000");
        return t?.state === "failed" && t;
      },
      { timeoutMs: 120_000, intervalMs: 250 },
    );
    expect(failed.error).toMatch(/^out of memory: wasm memory access out of bounds/);
    expect(failed.attempts).toBe(2);
    // one fresh thread after each faulted attempt (the last may still be starting)
    const count = (msg: string) => worker.logs().filter((r) => r.msg === msg).length;
    await waitFor("the second fresh thread", () => count("training-0: fresh thread ready (wasm)") === 2, {
      timeoutMs: 60_000,
    });
    expect(count("training-0: runtime fault; replacing the thread")).toBe(2);

    // 3. the same worker process completes the next 20 trials
    const iris = parse(readFileSync(`${REPO_ROOT}/examples/iris-random.yaml`, "utf8")) as {
      budget: Record<string, number>;
    };
    iris.budget.max_epochs = 5;
    const next = await api.submit(JSON.stringify(iris)); // JSON is YAML
    const done = await api.ended(next.id, 300_000);
    expect(done.counts).toMatchObject({ completed: 20, failed: 0 });
    const trials = await api.trials(next.id, "limit=20");
    expect(new Set(trials.items.map((t) => t.worker))).toEqual(new Set(["fault-w1"]));
    expect(worker.child.exitCode).toBeNull(); // the same process throughout

    const report = await checkInvariants({ redis, prefix, sweepIds: [huge.id, next.id] });
    expect(report[huge.id]).toEqual({ trials: 1, states: { failed: 1 } });
    expect(report[next.id]).toEqual({ trials: 20, states: { completed: 20 } });
  });
});
