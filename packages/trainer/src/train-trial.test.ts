import type { EpochReport, Params } from "@hpo/core";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "./backend.ts";
import { recorder, testJob } from "./testing/index.ts";
import { trainTrial } from "./train-trial.ts";

const job = testJob;

const never = new AbortController().signal;

beforeAll(async () => {
  await selectBackend("wasm");
});

describe("trainTrial", () => {
  it("trains iris to > 0.85 mean validation accuracy, reporting every epoch, without leaking tensors", async () => {
    const before = tf.memory().numTensors;
    const rep = recorder();
    const out = await trainTrial(job({ cv: { folds: 5, stratified: true, seed: 3 } }), rep, never);
    expect(out.state).toBe("completed");
    expect(out.folds).toHaveLength(5);
    const mean = out.folds.reduce((a, f) => a + f.score, 0) / 5;
    expect(mean).toBeGreaterThan(0.85);
    expect(rep.reports.map((r) => r.epoch)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const last = rep.reports.at(-1) as EpochReport;
    expect(last.folds).toHaveLength(5);
    expect(last.value).toBeCloseTo(mean, 10);
    for (const key of [
      "loss",
      "val_loss",
      "val_accuracy",
      "val_auc",
      "val_f1",
      "val_balanced_accuracy",
      "val_log_loss",
      "accuracy",
      "gap",
      "grad_norm",
      "grad_norm/dense_0",
      "grad_norm/output",
    ]) {
      expect(Number.isFinite(last.folds[0]?.[key])).toBe(true);
    }
    expect(out.folds[0]?.epochs).toBe(8);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("is deterministic: same seed, identical fold scores; another seed differs", async () => {
    const a = await trainTrial(job({ maxEpochs: 3 }), recorder(), never);
    const b = await trainTrial(job({ maxEpochs: 3 }), recorder(), never);
    const c = await trainTrial(job({ maxEpochs: 3, seed: 43 }), recorder(), never);
    expect(a.folds.map((f) => f.metrics.val_loss)).toEqual(b.folds.map((f) => f.metrics.val_loss));
    expect(a.folds.map((f) => f.metrics.val_loss)).not.toEqual(c.folds.map((f) => f.metrics.val_loss));
  });

  it("trains R × K folds with cv.repeats, fold indices counting on past the first repeat", async () => {
    const cv = { folds: 3, stratified: true, seed: 1, repeats: 2 };
    const r = recorder();
    const out = await trainTrial(job({ maxEpochs: 2, cv }), r, never);
    expect(out.state).toBe("completed");
    expect(out.folds.map((f) => f.fold)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(r.reports[0]?.folds).toHaveLength(6);
    // the first repeat trains exactly as a plain 3-fold trial does
    const plain = await trainTrial(job({ maxEpochs: 2 }), recorder(), never);
    expect(out.folds.slice(0, 3).map((f) => f.metrics.val_loss)).toEqual(plain.folds.map((f) => f.metrics.val_loss));
    // a later range of repeats (the selection phase) gives the folds a longer run would have had
    const later = await trainTrial(job({ maxEpochs: 2, cv, repeatRange: { from: 1, count: 1 } }), recorder(), never);
    expect(later.folds.map((f) => f.fold)).toEqual([3, 4, 5]);
    expect(later.folds.map((f) => f.metrics.val_loss)).toEqual(out.folds.slice(3).map((f) => f.metrics.val_loss));
  });

  it("early stopping watches an inner split of each fold's training rows by default, the fold with cv.early_stopping: fold", async () => {
    const params = { learning_rate: 0.05, batch_size: 16, optimizer: "adam", early_stopping_patience: 2 };
    /** Per fold, the record of the first epoch with the lowest `key` before the fold stopped. */
    const bestBy = (reports: readonly EpochReport[], key: string) =>
      reports[0]!.folds.map((_, f) => {
        const live = reports.map((r) => r.folds[f]!).filter((r) => r.early_stopped === undefined);
        return live.reduce((best, r) => ((r[key] as number) < (best[key] as number) ? r : best));
      });
    const innerReports = recorder();
    const inner = await trainTrial(job({ params, maxEpochs: 40 }), innerReports, never);
    expect(inner.state).toBe("completed");
    expect(innerReports.reports.every((r) => r.folds.every((f) => Number.isFinite(f.inner_val_loss)))).toBe(true);
    const innerBest = bestBy(innerReports.reports, "inner_val_loss");
    for (const [i, f] of inner.folds.entries()) expect(f.metrics).toEqual(innerBest[i]);

    const foldReports = recorder();
    const onFold = await trainTrial(
      job({ params, maxEpochs: 40, cv: { folds: 3, stratified: true, seed: 1, early_stopping: "fold" } }),
      foldReports,
      never,
    );
    expect(foldReports.reports[0]!.folds[0]!.inner_val_loss).toBeUndefined();
    const foldBest = bestBy(foldReports.reports, "val_loss");
    for (const [i, f] of onFold.folds.entries()) expect(f.metrics).toEqual(foldBest[i]);
  });

  it("packed training gives the same results as training the folds one by one", async () => {
    const j = job({
      dataset: { name: "wine", task: "classification" }, // folds of 118/119/119 training rows: padding
      params: {
        batch_size: 16,
        dropout: 0.2,
        batch_norm: true,
        clip_norm: 1,
        early_stopping_patience: 2,
        learning_rate: 0.02,
      },
      maxEpochs: 6,
    });
    const packedReports = recorder();
    const singleReports = recorder();
    const packed = await trainTrial(j, packedReports, never);
    const single = await trainTrial(j, singleReports, never, { packFolds: false });
    expect(packed.state).toBe("completed");
    expect(single.folds.map((f) => f.epochs)).toEqual(packed.folds.map((f) => f.epochs));
    packed.folds.forEach((f, i) => {
      const s = single.folds[i]!;
      expect(f.metrics.val_accuracy).toBe(s.metrics.val_accuracy);
      expect(f.metrics.val_loss).toBeCloseTo(s.metrics.val_loss as number, 4);
    });
    expect(packedReports.reports.length).toBe(singleReports.reports.length);
  });

  it("trains the same way on the cpu backend (close scores, same tensor hygiene)", async () => {
    const j = job({ maxEpochs: 3, params: { batch_size: 16, dropout: 0.2, batch_norm: true, clip_norm: 1 } });
    const onWasm = await trainTrial(j, recorder(), never);
    await selectBackend("cpu");
    try {
      const before = tf.memory().numTensors;
      const onCpu = await trainTrial(j, recorder(), never);
      expect(onCpu.state).toBe("completed");
      onCpu.folds.forEach((f, i) => {
        expect(f.metrics.val_loss).toBeCloseTo(onWasm.folds[i]!.metrics.val_loss as number, 2);
      });
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      await selectBackend("wasm");
    }
  });

  it("refuses stratified folds when a class has fewer rows than folds, naming the dataset", async () => {
    const tooMany = await trainTrial(job({ cv: { folds: 60, stratified: true, seed: 1 } }), recorder(), never);
    expect(tooMany.state).toBe("failed");
    expect(tooMany.error).toBe(
      'dataset "iris": class "0" has 50 rows, fewer than cv.folds (60); use fewer folds or cv.stratified: false',
    );
  });

  it("returns pruned at the epoch the reporter says so, and cleans up", async () => {
    const before = tf.memory().numTensors;
    const rep = recorder((r) => r.epoch === 2);
    const out = await trainTrial(job(), rep, never);
    expect(out.state).toBe("pruned");
    expect(out.prunedAt).toBe(2);
    expect(rep.reports).toHaveLength(2);
    expect(out.folds.map((f) => f.epochs)).toEqual([2, 2, 2]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("returns cancelled promptly when the signal aborts mid-epoch, and cleans up", async () => {
    const before = tf.memory().numTensors;
    const ctl = new AbortController();
    const rep = recorder();
    setTimeout(() => ctl.abort(), 30);
    const out = await trainTrial(
      job({ dataset: { name: "digits", task: "classification" }, params: { batch_size: 8 }, maxEpochs: 50 }),
      rep,
      ctl.signal,
    );
    expect(out.state).toBe("cancelled");
    expect(rep.reports.length).toBeLessThan(50);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("ends at once as diverged on a NaN loss (sgd, learning rate 10), and cleans up", async () => {
    const before = tf.memory().numTensors;
    const rep = recorder();
    const out = await trainTrial(
      job({ params: { optimizer: "sgd", learning_rate: 10, batch_size: 16 }, maxEpochs: 20 }),
      rep,
      never,
    );
    expect(out.state).toBe("diverged");
    expect(out.flags).toContain("diverged");
    expect(out.error).toMatch(
      /^trial t0001: (training|validation) loss is (NaN|Infinity|-Infinity) at epoch \d+ of fold \d+/,
    );
    expect(rep.reports.length).toBeLessThan(20);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("fails cleanly on unknown params and on a metric the task does not have", async () => {
    const bad = await trainTrial(job({ params: { learning_rat: 0.1 } }), recorder(), never);
    expect(bad.state).toBe("failed");
    expect(bad.error).toMatch(/^unknown trial parameter "learning_rat"; known: learning_rate, batch_size/);
    const metric = await trainTrial(job({ metric: { name: "val_r2", goal: "maximize" } }), recorder(), never);
    expect(metric.error).toBe(
      'trial t0001: metric "val_r2" is not available for classification; available: val_accuracy, val_loss, val_auc, val_f1, val_balanced_accuracy, val_log_loss, accuracy, loss',
    );
  });

  it("trains a regression task and reports val_r2, val_mse, val_mae", async () => {
    const rep = recorder();
    const out = await trainTrial(
      job({
        dataset: { name: "regression:400", task: "regression" },
        metric: { name: "val_r2", goal: "maximize" },
        maxEpochs: 10,
        cv: { folds: 3, stratified: true, seed: 1 },
      }),
      rep,
      never,
    );
    expect(out.state).toBe("completed");
    for (const f of out.folds) {
      expect(f.score).toBeGreaterThan(0.5);
      expect(f.metrics.val_mse).toBeGreaterThan(0);
      expect(f.metrics.val_mae).toBeGreaterThan(0);
      expect(f.metrics.val_rmse).toBeCloseTo(Math.sqrt(f.metrics.val_mse as number), 12);
    }
  });

  it("flags vanishing gradients on a deep sigmoid net, not on a shallow relu one", async () => {
    const run = (params: Params) =>
      trainTrial(
        job({ params: { optimizer: "sgd", learning_rate: 0.1, batch_size: 16, ...params }, maxEpochs: 3 }),
        recorder(),
        never,
      );
    const deep = await run({ activation: "sigmoid", initializer: "glorot", hidden: [32, 32, 32, 32, 32, 32] });
    const shallow = await run({ activation: "relu", hidden: [32, 32] });
    expect(deep.flags).toContain("vanishing_gradients");
    expect(shallow.flags).not.toContain("vanishing_gradients");
  });

  it("noop mode scores from the params at once, deterministically, reporting maxEpochs epochs", async () => {
    const before = tf.memory().numTensors;
    const rep = recorder();
    const j = job({ mode: "noop", maxEpochs: 5, params: { learning_rate: 0.003, batch_size: 32, dropout: 0.2 } });
    const a = await trainTrial(j, rep, never);
    const b = await trainTrial(j, recorder(), never);
    const worse = await trainTrial(
      job({ mode: "noop", maxEpochs: 5, params: { learning_rate: 1, batch_size: 32 } }),
      recorder(),
      never,
    );
    expect(a.state).toBe("completed");
    expect(rep.reports).toHaveLength(5);
    expect(a.folds.map((f) => f.score)).toEqual(b.folds.map((f) => f.score));
    const mean = (o: typeof a) => o.folds.reduce((s, f) => s + f.score, 0) / o.folds.length;
    expect(mean(a)).toBeGreaterThan(mean(worse));
    expect(tf.memory().numTensors).toBe(before);
  });
});
