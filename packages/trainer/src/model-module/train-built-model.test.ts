import { fileURLToPath } from "node:url";
import type { EpochReport } from "@hpo/core";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../backend.ts";
import { testJob } from "../testing/test-job.ts";
import { trainModuleTrial } from "./train-module-trial.ts";

const MODELS = fileURLToPath(new URL("../testing/models/", import.meta.url));

const run = async (params: Record<string, number | string>, maxEpochs = 6) => {
  const reports: EpochReport[] = [];
  const logs: [string, unknown][] = [];
  const result = await trainModuleTrial(
    testJob({ params, model: { hidden: [], activation: "relu", module: "dense-build.ts" }, maxEpochs }),
    {
      report: async (r) => {
        reports.push(r);
        return false;
      },
      log: (message, fields) => logs.push([message, fields]),
    },
    new AbortController().signal,
    { modelDirs: [MODELS] },
  );
  return { ...result, reports, logs };
};

describe("model modules, build(ctx) form: hpo trains the module's tf.LayersModel (real tfjs on cpu)", () => {
  beforeAll(async () => {
    await selectBackend("cpu");
  });

  it("trains with the sweep's optimizer and schedule, reports per-layer gradient norms, leaves no tensor", async () => {
    const before = tf.memory().numTensors;
    const { outcome, dirty, reports, logs } = await run({
      learning_rate: 0.02,
      optimizer: "adam",
      batch_size: 16,
      lr_schedule: "step",
      lr_decay_steps: 3,
      lr_decay_rate: 0.5,
      weight_decay: 1e-4,
      clip_norm: 5,
      units: 12,
    });
    expect(outcome.error).toBeUndefined();
    expect(outcome.state).toBe("completed");
    expect(dirty).toBe(false);
    expect(tf.memory().numTensors).toBe(before);
    expect(reports.map((r) => r.folds[0]?.lr)).toEqual([0.02, 0.02, 0.02, 0.01, 0.01, 0.01]);
    for (const r of reports)
      for (const f of r.folds) {
        // per layer by the tf.LayersModel's layer names, in layer order
        expect(Object.keys(f).filter((k) => k.startsWith("grad_norm/"))).toEqual(["grad_norm/hidden", "grad_norm/out"]);
        expect(f["grad_norm/hidden"]).toBeGreaterThan(0);
        expect(f["grad_norm/out"]).toBeGreaterThan(0);
        expect(f.grad_norm).toBeCloseTo(Math.hypot(f["grad_norm/hidden"] as number, f["grad_norm/out"] as number), 5);
      }
    expect(logs.find(([m]) => m === "model built")?.[1]).toMatchObject({ layers: ["hidden", "out"] });
    expect(outcome.folds.reduce((a, f) => a + f.score, 0) / 3).toBeGreaterThan(0.8);
  });

  it("is seeded: the same trial twice gives the same scores; early stopping returns the best epoch", async () => {
    const params = { learning_rate: 0.05, optimizer: "momentum", batch_size: 8, early_stopping_patience: 1 };
    const a = await run(params, 12);
    const b = await run(params, 12);
    expect(a.outcome.error).toBeUndefined();
    expect(a.outcome.state).toBe("completed");
    expect(a.outcome.folds.map((f) => f.score)).toEqual(b.outcome.folds.map((f) => f.score));
    expect(a.outcome.folds.some((f) => f.metrics.early_stopped === 1)).toBe(true);
    for (const f of a.outcome.folds) {
      const seen = a.reports.map((r) => r.folds[f.fold]?.val_loss as number);
      if (f.metrics.early_stopped === 1) expect(f.metrics.val_loss).toBe(Math.min(...seen));
    }
  });
});
