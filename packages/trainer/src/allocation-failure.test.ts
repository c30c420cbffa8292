/**
 * No tensor leaks when an allocation fails anywhere in a trial: building the packed model, a
 * training step, the evaluation, early stopping's snapshots. The cpu backend's `write` (every
 * tensor's storage goes through it) is made to throw at its N-th call, for every N a trial makes;
 * the trial must then throw a RuntimeFault (an allocation failure is the runtime's, not the
 * trial's) or, for an ordinary error, end `failed` — with the live tensor count back to where it
 * was. The fault is injected here only: production code has no hook for it.
 */
import type { Params, TrialJob } from "@hpo/core";
import * as tf from "@tensorflow/tfjs-core";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "./backend.ts";
import { RuntimeFault } from "./runtime-fault.ts";
import { trainTrial } from "./train-trial.ts";

function job(params: Params, maxEpochs: number): TrialJob {
  return {
    sweepId: "s1",
    trialId: "t0001",
    params,
    dataset: { name: "iris", task: "classification" },
    model: { hidden: [6, 6], activation: "relu" },
    cv: { folds: 3, stratified: true, seed: 1 },
    metric: { name: "val_accuracy", goal: "maximize" },
    maxEpochs,
    seed: 7,
  };
}

/** Configurations that together reach every allocation site of the trainer; few steps, so the runs stay short. */
const CONFIGS: Record<string, { params: Params; epochs: number }> = {
  // hand-derived gradients, dropout masks, early-stopping snapshots (epoch 2 updates them), clipping
  manual: {
    params: { batch_size: 64, dropout: 0.2, early_stopping_patience: 1, clip_norm: 1, optimizer: "adam" },
    epochs: 2,
  },
  // autodiff (batch norm and skip connections), moving statistics, weight decay
  autodiff: {
    params: { batch_size: 128, batch_norm: true, residual: true, weight_decay: 0.01, optimizer: "momentum" },
    epochs: 1,
  },
};

type Write = (...args: unknown[]) => unknown;
const backend = () => tf.backend() as unknown as { write: Write };
let original: Write | undefined;

/**
 * Makes the backend's N-th `write` from now throw `error` (N = 0: never). Returns the call count
 * and whether the failing call came from inside tfjs's gradient tape (`Engine.gradients`).
 */
function failWriteAt(n: number, error: () => Error): { calls: number; inTape: boolean } {
  const b = backend();
  original ??= b.write;
  const real = original;
  const counter = { calls: 0, inTape: false };
  b.write = function (this: unknown, ...args: unknown[]) {
    counter.calls++;
    if (counter.calls === n) {
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 200;
      counter.inTape = /Engine\.gradients/.test(new Error().stack ?? "");
      Error.stackTraceLimit = limit;
      throw error();
    }
    return real.apply(this, args);
  };
  return counter;
}

beforeAll(async () => {
  await selectBackend("cpu");
});

afterEach(() => {
  if (original) backend().write = original;
});

const never = new AbortController().signal;
const report = { report: async () => false };

describe.each(Object.entries(CONFIGS))("an allocation failing anywhere in a trial (%s)", (_, { params, epochs }) => {
  it("throws a RuntimeFault and leaks no tensor, whichever allocation fails", async () => {
    await trainTrial(job(params, epochs), report, never); // datasets and kernels warmed up
    const counted = failWriteAt(0, () => new Error("unused"));
    const before = tf.memory().numTensors;
    expect((await trainTrial(job(params, epochs), report, never)).state).toBe("completed");
    const writes = counted.calls;
    expect(writes).toBeGreaterThan(50);
    expect(tf.memory().numTensors).toBe(before);
    const leaks: string[] = [];
    for (let n = 1; n <= writes; n++) {
      const start = tf.memory().numTensors;
      const failing = failWriteAt(n, () => new RangeError("Array buffer allocation failed"));
      const thrown = await trainTrial(job(params, epochs), report, never).then(
        (out) => new Error(`resolved ${out.state}`),
        (e: unknown) => e,
      );
      expect(thrown, `allocation ${n} of ${writes}`).toBeInstanceOf(RuntimeFault);
      expect((thrown as RuntimeFault).message).toMatch(/^out of memory: Array buffer allocation failed/);
      // tfjs itself keeps the tensors its tape saved for the backward pass when the forward pass
      // throws (Engine.gradients frees them only after a backward pass): not ours to free, and
      // harmless, since a thread whose runtime faulted is replaced as a whole (worker).
      const live = tf.memory().numTensors;
      if (live !== start && !failing.inTape) leaks.push(`allocation ${n}: ${live - start} tensors left`);
    }
    expect(leaks).toEqual([]);
  }, 180_000);

  it("ends an ordinary error as a failed trial, also without leaks", async () => {
    const before = tf.memory().numTensors;
    failWriteAt(12, () => new Error("bad rows"));
    const out = await trainTrial(job(params, epochs), report, never);
    expect(out).toMatchObject({ state: "failed", error: "bad rows" });
    expect(tf.memory().numTensors).toBe(before);
  });
});
