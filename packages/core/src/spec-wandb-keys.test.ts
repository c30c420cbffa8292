import { describe, expect, it } from "vitest";
import { createPruner } from "./pruners/index.ts";
import { checkSweepSpec, parseSweepSpec } from "./spec.ts";
import { wandbBands } from "./spec-early-terminate.ts";
import { hpoErrorOf } from "./testing/hpo-error-of.ts";

const base = { name: "t", dataset: "iris" };

const refusal = (extra: Record<string, unknown>) => hpoErrorOf(() => parseSweepSpec({ ...base, ...extra })).message;

describe("W&B's top-level keys", () => {
  it("accepts project, entity, controller, apiVersion and kind with one warning each, and keeps description", () => {
    const { spec, warnings } = checkSweepSpec({
      ...base,
      project: "my-project",
      entity: "me",
      description: "lr sweep",
      controller: { type: "local" },
      apiVersion: "v1",
      kind: "sweep",
    });
    expect(spec.description).toBe("lr sweep");
    expect(warnings.map((w) => w.path)).toEqual(["project", "entity", "controller", "apiVersion", "kind"]);
    expect(warnings[2]?.message).toMatch(/is ignored: hpo's coordinator always schedules/);
  });

  it("reads run_cap as budget.max_trials and refuses a run_cap that contradicts it", () => {
    expect(parseSweepSpec({ ...base, run_cap: 7 }).budget.max_trials).toBe(7);
    expect(parseSweepSpec({ ...base, run_cap: 7, budget: { max_trials: 7 } }).budget.max_trials).toBe(7);
    expect(refusal({ run_cap: 7, budget: { max_trials: 9 } })).toMatch(
      /run_cap is W&B's name for budget.max_trials, which says 9/,
    );
  });

  it("refuses W&B Launch jobs with the reason", () => {
    expect(refusal({ job: "wandb/jobs/train:v0" })).toMatch(/job is a W&B Launch job, which needs W&B Launch/);
    expect(refusal({ scheduler: { job: "x" } })).toMatch(/scheduler is a W&B Launch job/);
  });

  it("warns about metric.impute and early_terminate.strict, which hpo does not use", () => {
    const { warnings } = checkSweepSpec({
      ...base,
      metric: { name: "val_loss", goal: "minimize", impute: "worst" },
      early_terminate: { type: "hyperband", min_iter: 3, strict: true },
    });
    expect(warnings.map((w) => w.path)).toEqual(["early_terminate.strict", "metric.impute"]);
  });

  it("warns when log_uniform's exponents look like values", () => {
    const { warnings } = checkSweepSpec({
      ...base,
      parameters: { learning_rate: { distribution: "log_uniform", min: 0.0001, max: 0.1 } },
    });
    expect(warnings[0]?.path).toBe("parameters.learning_rate.distribution");
    expect(warnings[0]?.message).toMatch(
      /draws 1.00 … 1.11; for values between 0.0001 and 0.1 write log_uniform_values/,
    );
  });
});

describe("W&B's hyperband", () => {
  it("computes W&B's bands from max_iter and s, and from min_iter", () => {
    expect(wandbBands({ max_iter: 27, s: 2, eta: 3, limit: 27 })).toEqual([3, 9]);
    expect(wandbBands({ max_iter: 50, s: 3, eta: 3, limit: 50 })).toEqual([1, 5, 16]);
    expect(wandbBands({ max_iter: 5, s: 5, eta: 2, limit: 5 })).toEqual([1, 2]);
    expect(wandbBands({ min_iter: 2, eta: 2, limit: 20 })).toEqual([2, 4, 8, 16]);
  });

  it("prunes at exactly those bands, one bracket for every trial", () => {
    const spec = parseSweepSpec({
      ...base,
      budget: { max_epochs: 50 },
      early_terminate: { type: "hyperband", max_iter: 50, s: 3, eta: 3 },
    });
    expect(spec.early_terminate).toMatchObject({ type: "hyperband", rungs: [1, 5, 16] });
    const pruner = createPruner(spec.early_terminate);
    const ctx = (step: number) => ({
      trialId: "t0001",
      step,
      value: 0.1,
      goal: "maximize" as const,
      others: [0.9, 0.8, 0.7],
      best: 0.9,
      finishedTrials: 3,
    });
    expect([1, 2, 3, 4, 5, 9, 16, 27].filter((step) => pruner.shouldPrune(ctx(step)))).toEqual([1, 5, 16]);
    expect(new Set(["t0001", "t0002", "t0003", "t0004"].map((id) => pruner.groupOf(id))).size).toBe(1);
  });

  it("accepts a min_iter past the sweep's epochs: that band comes only if a run gets there", () => {
    const spec = parseSweepSpec({ ...base, early_terminate: { type: "hyperband", min_iter: 300 } });
    expect(spec.early_terminate).toMatchObject({ rungs: [300], min_resource: 300 });
  });

  it("needs max_iter for s and at least one band", () => {
    expect(refusal({ early_terminate: { type: "hyperband", s: 2 } })).toMatch(/early_terminate.s needs max_iter/);
    expect(refusal({ early_terminate: { type: "hyperband", max_iter: 2, s: 2, eta: 3 } })).toMatch(
      /makes no band of at least 1 epoch/,
    );
  });
});

describe("metric defaults", () => {
  it("keeps the built-in trainer's goals by metric name", () => {
    expect(parseSweepSpec({ ...base, metric: { name: "val_accuracy" } }).metric.goal).toBe("maximize");
  });

  it("minimizes a program's metric without a goal, as W&B, and warns when the name reads like accuracy", () => {
    const acc = checkSweepSpec({ program: "train.py", metric: { name: "val/acc" }, parameters: { lr: { value: 1 } } });
    expect(acc.spec.metric.goal).toBe("minimize");
    expect(acc.warnings).toEqual([
      {
        path: "metric.goal",
        message: 'is not given, so "val/acc" is minimized (W&B\'s default); add goal: maximize if higher is better',
      },
    ]);
    const loss = checkSweepSpec({
      program: "train.py",
      metric: { name: "val_loss" },
      parameters: { lr: { value: 1 } },
    });
    expect(loss.spec.metric.goal).toBe("minimize");
    expect(loss.warnings).toEqual([]);
  });
});
