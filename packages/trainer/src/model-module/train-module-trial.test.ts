import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { EpochReport } from "@hpo/core";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../backend.ts";
import { testJob } from "../testing/test-job.ts";
import { trainModuleTrial } from "./train-module-trial.ts";

const MODELS = fileURLToPath(new URL("../testing/models/", import.meta.url));

/** A folder holding `files` (name → module source), allowed as the model directory. */
function modelDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "hpo-modules-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const job = (module: string, over: Parameters<typeof testJob>[0] = {}) =>
  testJob({ model: { hidden: [], activation: "relu", module }, maxEpochs: 4, ...over });

/** Records every report; answers `stopAt(report)` (default: never stop). */
function recorder(stopAt: (r: EpochReport) => boolean = () => false) {
  const reports: EpochReport[] = [];
  const report = async (r: EpochReport) => {
    reports.push(r);
    return stopAt(r);
  };
  return { reports, reporter: { report } };
}

describe("trainModuleTrial (model modules, train(ctx) form, real tfjs on cpu)", () => {
  beforeAll(async () => {
    await selectBackend("cpu");
  });

  it("trains a tfjs-layers module on every fold; reports the K-fold mean per step; leaves no tensor", async () => {
    const before = tf.memory().numTensors;
    const { reports, reporter } = recorder();
    const { outcome, dirty } = await trainModuleTrial(job("dense-model.ts"), reporter, new AbortController().signal, {
      modelDirs: [MODELS],
    });
    expect(outcome.error).toBeUndefined();
    expect(outcome.state).toBe("completed");
    expect(dirty).toBe(false);
    expect(tf.memory().numTensors).toBe(before);
    expect(reports.map((r) => r.epoch)).toEqual([1, 2, 3, 4]);
    for (const r of reports) {
      expect(r.folds).toHaveLength(3);
      const mean = r.folds.reduce((a, f) => a + (f.val_accuracy as number), 0) / 3;
      expect(r.value).toBeCloseTo(mean, 12);
    }
    expect(outcome.folds.map((f) => [f.fold, f.epochs])).toEqual([
      [0, 4],
      [1, 4],
      [2, 4],
    ]);
    // each fold's score is its last report's metric; iris is learnt within 4 epochs of adam 0.01
    outcome.folds.forEach((f) => {
      expect(f.score).toBe(reports[3]?.folds[f.fold]?.val_accuracy);
    });
    expect(outcome.folds.reduce((a, f) => a + f.score, 0) / 3).toBeGreaterThan(0.6);
  });

  it("prunes on the mean: every fold is answered true at that step and stops there", async () => {
    const { reports, reporter } = recorder((r) => r.epoch === 2);
    const { outcome, dirty } = await trainModuleTrial(job("dense-model.ts"), reporter, new AbortController().signal, {
      modelDirs: [MODELS],
    });
    expect(outcome).toMatchObject({ state: "pruned", prunedAt: 2 });
    expect(dirty).toBe(false);
    expect(reports).toHaveLength(2);
    expect(outcome.folds.map((f) => f.epochs)).toEqual([2, 2, 2]);
    expect(outcome.folds.map((f) => f.score)).toEqual(reports[1]?.folds.map((f) => f.val_accuracy));
  });

  it("cancels: an aborted signal answers every report true, the trial ends cancelled", async () => {
    const controller = new AbortController();
    const { reporter } = recorder((r) => {
      if (r.epoch === 1) controller.abort();
      return false;
    });
    const { outcome } = await trainModuleTrial(job("dense-model.ts"), reporter, controller.signal, {
      modelDirs: [MODELS],
    });
    expect(outcome.state).toBe("cancelled");
  });

  it("waits at the barrier for folds of different speeds; a fold that returns early repeats its last metrics", async () => {
    const dir = modelDir({
      "uneven.mjs": `
        export async function train(ctx) {
          const steps = ctx.fold === 0 ? 1 : 3;
          for (let step = 1; step <= steps; step++) {
            await new Promise((r) => setTimeout(r, ctx.fold === 1 ? 30 : 1));
            if (await ctx.report(step, { val_accuracy: step / 10 + ctx.fold })) break;
          }
        }`,
    });
    const { reports, reporter } = recorder();
    const { outcome } = await trainModuleTrial(job("uneven.mjs"), reporter, new AbortController().signal, {
      modelDirs: [dir],
    });
    expect(outcome.state).toBe("completed");
    expect(reports.map((r) => r.folds.map((f) => f.val_accuracy))).toEqual([
      [0.1, 1.1, 2.1],
      [0.1, 1.2, 2.2],
      [0.1, 1.3, 2.3],
    ]);
    expect(reports[1]?.folds[0]?.early_stopped).toBe(1);
    expect(outcome.folds.map((f) => f.epochs)).toEqual([1, 3, 3]);
  });

  it("gives the fold's rows standardized, or as the dataset has them with standardize: false", async () => {
    const dir = modelDir({
      "largest.mjs": `
        export async function train(ctx) {
          let largest = -Infinity;
          for (const v of ctx.train.xValues) largest = Math.max(largest, v);
          await ctx.report(1, { val_accuracy: largest });
        }`,
    });
    const largest = async (params: Record<string, string | number | boolean>) => {
      const { reports, reporter } = recorder();
      const { outcome } = await trainModuleTrial(
        job("largest.mjs", { params: { ...testJob().params, ...params } }),
        reporter,
        new AbortController().signal,
        { modelDirs: [dir] },
      );
      expect(outcome.state).toBe("completed");
      return Math.max(...(reports[0]?.folds.map((f) => f.val_accuracy as number) ?? []));
    };
    // iris: the largest feature value is a sepal length of 7.9 cm; standardized, about 2.5
    expect(await largest({ standardize: false })).toBeCloseTo(7.9, 5);
    expect(await largest({})).toBeLessThan(4);
  });

  it("fails with the reason: a throwing fold, mismatched steps, a missing metric, no report", async () => {
    const dir = modelDir({
      "throws.mjs": `
        export async function train(ctx) {
          if (ctx.fold === 1) throw new Error("bad shape");
          // the other folds wait at the barrier: they must be released
          for (let step = 1; ; step++) if (await ctx.report(step, { val_accuracy: 0.5 })) return;
        }`,
      "skips.mjs": `export async function train(ctx) { await ctx.report(ctx.fold === 2 ? 2 : 1, { val_accuracy: 1 }); }`,
      "nometric.mjs": `export async function train(ctx) { await ctx.report(1, { acc: 1 }); }`,
      "silent.mjs": `export async function train() {}`,
      "build.mjs": `export function build() {}`,
      "neither.mjs": `export const fit = 1;`,
      "nan.mjs": `export async function train(ctx) { await ctx.report(1, { val_accuracy: ctx.fold === 0 ? NaN : 1 }); }`,
    });
    const run = async (file: string) =>
      (await trainModuleTrial(job(file), recorder().reporter, new AbortController().signal, { modelDirs: [dir] }))
        .outcome;
    expect(await run("throws.mjs")).toMatchObject({
      state: "failed",
      error: 'model module "throws.mjs": train() of fold 1 threw: bad shape',
    });
    expect((await run("skips.mjs")).error).toBe(
      'model module "skips.mjs": fold 2 reported step 2 while fold 0 reported step 1: every fold must report the same steps',
    );
    expect((await run("nometric.mjs")).error).toBe(
      'model module "nometric.mjs": fold 0 reported step 1 without "val_accuracy", the sweep\'s metric',
    );
    expect((await run("silent.mjs")).error).toBe(
      'model module "silent.mjs": train() returned without reporting a step (await ctx.report(step, metrics))',
    );
    expect((await run("build.mjs")).error).toBe(
      'model module "build.mjs": fold 0 failed: build() must return a tf.LayersModel (tf.sequential(…) or tf.model(…))',
    );
    expect((await run("neither.mjs")).error).toBe(
      'model module "neither.mjs": exports neither train(ctx) nor build(ctx) (docs/model-modules.md)',
    );
    expect(await run("nan.mjs")).toMatchObject({
      state: "diverged",
      error: "trial t0001: val_accuracy is NaN at step 1 of fold 0",
    });
  });

  it("stops waiting for a fold that ignores the stop, and marks the thread dirty", async () => {
    const dir = modelDir({
      "stuck.mjs": `
        export async function train(ctx) {
          if (ctx.fold === 0) throw new Error("gave up");
          await new Promise(() => {}); // never returns, never reports
        }`,
      "leaks.mjs": `export async function train(ctx) { ctx.tf.ones([3]); await ctx.report(1, { val_accuracy: 1 }); }`,
    });
    const stuck = await trainModuleTrial(job("stuck.mjs"), recorder().reporter, new AbortController().signal, {
      modelDirs: [dir],
      settleMs: 200,
    });
    expect(stuck).toMatchObject({ dirty: true, outcome: { state: "failed" } });
    expect(stuck.outcome.error).toBe('model module "stuck.mjs": train() of fold 0 threw: gave up');
    const leaks = await trainModuleTrial(job("leaks.mjs"), recorder().reporter, new AbortController().signal, {
      modelDirs: [dir],
    });
    expect(leaks).toMatchObject({ dirty: true, outcome: { state: "failed" } });
    expect(leaks.outcome.error).toMatch(/^model module "leaks.mjs": leaked 3 tensors;/);
  });
});
