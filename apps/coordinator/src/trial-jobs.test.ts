import { DEFAULT_PROGRAM_COMMAND, parseSweepSpec, type TrialRecord } from "@hpo/core";
import { describe, expect, it } from "vitest";
import { trialJobOf } from "./trial-jobs.ts";

const trial = (params: TrialRecord["params"]): TrialRecord =>
  ({ sweepId: "s", id: "t0000", index: 0, params, state: "queued", folds: [], createdAt: 0, flags: [] }) as TrialRecord;

describe("trialJobOf", () => {
  it("carries a program sweep's program, command, report, nested paths and max_trial_seconds", () => {
    const spec = parseSweepSpec({
      program: "/opt/job/train.py",
      report: "wandb",
      metric: { name: "loss" },
      budget: { max_trial_seconds: 60 },
      parameters: { optimizer: { parameters: { lr: { values: [0.1] } } }, epochs: { value: 3 } },
    });
    const job = trialJobOf("s", spec, trial({ "optimizer.lr": 0.1, epochs: 3 }), "tfjs");
    expect(job.program).toEqual({
      path: "/opt/job/train.py",
      command: DEFAULT_PROGRAM_COMMAND,
      report: "wandb",
      paths: { "optimizer.lr": ["optimizer", "lr"] },
    });
    expect(job.maxTrialSeconds).toBe(60);
    expect(job.dataset).toBeUndefined();
  });

  it("leaves program fields out of built-in trials", () => {
    const job = trialJobOf("s", parseSweepSpec({ dataset: "iris" }), trial({}), "tfjs");
    expect(job.program).toBeUndefined();
    expect(job.maxTrialSeconds).toBeUndefined();
    expect(job.dataset?.name).toBe("iris");
  });
});
