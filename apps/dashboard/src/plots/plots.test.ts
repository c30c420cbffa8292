import type { EpochReport, SweepSpec } from "@hpo/core";
import { describe, expect, it } from "vitest";
import type { History, Importance, TrialRow, TrialSample } from "../api/types.ts";
import { curveKeys, curvesOption } from "./curves/curves-plot.ts";
import { gradKeys, gradLabel, gradNormOption } from "./grad-norms/grad-norm-plot.ts";
import { historyOption } from "./history/history-plot.ts";
import { importanceOption } from "./importance/importance-plot.ts";
import { kfoldOption } from "./kfold/kfold-plot.ts";
import { parallelOption } from "./parallel/parallel-plot.ts";
import { sliceOption } from "./slice/slice-plot.ts";
import { valMetricKeys, valMetricsOption } from "./val-metrics/val-metrics-plot.ts";

const XSS = "<img src=x onerror=alert(1)>";
const spec = {
  parameters: {
    lr: { distribution: { kind: "log_uniform_values", min: 1e-4, max: 0.1 } },
    opt: { distribution: { kind: "categorical", values: ["adam", "sgd"] } },
    dropout: { distribution: { kind: "uniform", min: 0, max: 0.5 } },
  },
} as unknown as SweepSpec;
const sample: TrialSample = {
  params: ["lr", "opt", "dropout"],
  completed: 3,
  rows: [
    { id: "t0000", score: 0.8, params: { lr: 0.001, opt: "adam", dropout: 0.1 } },
    { id: "t0001", score: 0.9, params: { lr: 0.01, opt: XSS, dropout: 0.2 } },
    { id: "t0002", score: 0.7, params: { lr: 0.05, opt: "sgd", dropout: 0.3 } },
  ],
};

describe("history plot", () => {
  const h: History = {
    points: [
      { index: 0, score: 0.5, trialId: "t0000" },
      { index: 3, score: 0.7, trialId: "t0003" },
    ],
    best: [
      [0, 0.5],
      [3, 0.7],
    ],
    completed: 2,
  };
  it("draws the trials as points and the best so far as a step line", () => {
    const o = historyOption(h, "val_accuracy", "maximize");
    expect(o.series[0].data.map((d: { value: number[] }) => d.value)).toEqual([
      [0, 0.5],
      [3, 0.7],
    ]);
    expect(o.series[1]).toMatchObject({ type: "line", step: "end" });
  });
  it("escapes the metric name in its tooltip", () => {
    const html = historyOption(h, XSS, "maximize").tooltip.formatter({
      seriesName: "trial",
      data: { value: [3, 0.7], id: "t0003" },
    });
    expect(html).not.toContain("<img");
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
  });
});

describe("importance plot", () => {
  it("puts the most important parameter on top (last category) and escapes names in tooltips", () => {
    const imp: Importance = {
      status: "ready",
      method: "m",
      completed: 10,
      params: [
        { name: "lr", importance: 0.7 },
        { name: XSS, importance: 0.3 },
      ],
    };
    const o = importanceOption(imp);
    expect(o.yAxis.data).toEqual([XSS, "lr"]);
    expect(o.tooltip.formatter({ name: XSS, value: 0.3 })).not.toContain("<img");
  });
});

describe("parallel coordinates", () => {
  it("uses a log axis for log-uniform, categories for categorical, and the score last", () => {
    const o = parallelOption(sample, spec, "val_accuracy", "maximize");
    expect(o.parallelAxis.map((a: { type: string }) => a.type)).toEqual(["log", "category", "value", "value"]);
    expect(o.parallelAxis[1].data).toEqual(["adam", "sgd", XSS]);
    expect(o.series[0].data[1]).toEqual([0.01, XSS, 0.2, 0.9]);
  });
  it("inverts the score axis when minimizing", () => {
    expect(parallelOption(sample, spec, "val_loss", "minimize").parallelAxis[3].inverse).toBe(true);
  });
});

describe("slice plot", () => {
  it("plots the score against one parameter and escapes values in the tooltip", () => {
    const o = sliceOption(sample, spec, "opt", "val_accuracy");
    expect(o.xAxis.type).toBe("category");
    const html = o.tooltip.formatter({ data: o.series[0].data[1] });
    expect(html).toContain("&lt;img");
    expect(html).not.toContain("<img");
    expect(sliceOption(sample, spec, "lr", "val_accuracy").xAxis.type).toBe("log");
  });

  it("uses a log axis for W&B's log-normal and quantised log-uniform parameters too", () => {
    for (const distribution of [
      { kind: "log_normal", mu: -5, sigma: 1 },
      { kind: "q_log_uniform_values", min: 1e-4, max: 0.1, q: 1e-4 },
    ]) {
      const logSpec = { parameters: { lr: { distribution } } } as unknown as SweepSpec;
      expect(sliceOption(sample, logSpec, "lr", "val_accuracy").xAxis.type).toBe("log");
    }
    const normal = {
      parameters: { lr: { distribution: { kind: "normal", mu: 0, sigma: 1 } } },
    } as unknown as SweepSpec;
    expect(sliceOption(sample, normal, "lr", "val_accuracy").xAxis.type).toBe("value");
  });
});

describe("K-fold spread", () => {
  const row = (id: string, scores: number[]): TrialRow => ({
    id,
    index: 0,
    state: "completed",
    params: {},
    mean: scores.reduce((a, b) => a + b) / scores.length,
    std: 0.01,
    sem: 0.005,
    foldScores: scores,
    flags: [],
  });
  it("has one box per trial over its fold scores and one point per fold", () => {
    const o = kfoldOption([row("t0001", [0.9, 0.7, 0.8]), row("t0002", [0.6, 0.6, 0.9])], "acc");
    expect(o.xAxis.data).toEqual(["t0001", "t0002"]);
    const box = o.series[0].data[0] as number[];
    for (const [i, v] of [0.7, 0.75, 0.8, 0.85, 0.9].entries()) expect(box[i]).toBeCloseTo(v, 9);
    expect(o.series[1].data).toHaveLength(6);
  });

  it("draws each trial's corrected 95% CI as a bar around its mean, tied trials in the tie colour", () => {
    const best = { ...row("t0001", [0.9, 0.7, 0.8]), ciLow: 0.62, ciHigh: 0.98, pBest: 1, tied: true };
    const worse = { ...row("t0002", [0.6, 0.6, 0.9]), ciLow: 0.41, ciHigh: 0.99, pBest: 0.01, tied: false };
    const running = row("t0003", [0.5]);
    const o = kfoldOption([best, worse, { ...running, mean: undefined }], "acc");
    const ci = o.series.find((s: { name: string }) => s.name === "95% CI");
    const [a, b, c] = ci.data as { value: number[]; itemStyle: { color?: string } }[];
    expect(a?.value.map((v) => Number(v.toFixed(9)))).toEqual([0.62, 0.62, 0.8, 0.98, 0.98]);
    expect(b?.value[0]).toBe(0.41);
    expect(b?.value[4]).toBe(0.99);
    expect(a?.itemStyle.color).toBeDefined();
    expect(b?.itemStyle.color).toBeUndefined();
    expect(c).toEqual([]);
    expect(o.legend.data).toContain("95% CI");
    const tip = o.tooltip.formatter({ seriesName: "95% CI", dataIndex: 1, data: b });
    expect(tip).toContain("[0.4100, 0.9900]");
    expect(tip).toContain("no (p = 0.01)");
  });
});

describe("learning curves and gradient norms", () => {
  const curve: EpochReport[] = [1, 2, 3].map((epoch) => ({
    epoch,
    value: 0.5 + epoch / 10,
    folds: [0, 1].map((k) => ({
      loss: 1 / epoch + k / 10,
      val_loss: 1.2 / epoch,
      accuracy: 0.5 + epoch / 10,
      val_accuracy: 0.45 + epoch / 10,
      grad_norm: 2,
      grad_norm_l0: 1 / epoch,
      grad_norm_l1: 2 / epoch,
    })),
  }));
  it("plots train and validation loss and metric: thin per fold, bold mean", () => {
    expect(curveKeys(curve, "val_accuracy")).toEqual({
      trainLoss: "loss",
      valLoss: "val_loss",
      trainMetric: "accuracy",
      valMetric: "val_accuracy",
    });
    const o = curvesOption(curve, "val_accuracy");
    expect(o.legend.data).toEqual(["loss", "val_loss", "accuracy", "val_accuracy"]);
    expect(o.series).toHaveLength(4 * 3); // 2 folds + the mean, per key
    const meanLoss = o.series.find((s: { name: string; symbol: string }) => s.name === "loss" && s.symbol === "circle");
    expect(meanLoss.data[0]).toEqual([1, 1.05]);
    expect(o.series.filter((s: { yAxisIndex: number }) => s.yAxisIndex === 1)).toHaveLength(6);
  });
  it("shows per-layer gradient norms by layer, not the global one", () => {
    expect(gradKeys(curve)).toEqual(["grad_norm_l0", "grad_norm_l1"]);
    expect(gradLabel("grad_norm_l0")).toBe("layer 1");
    const o = gradNormOption(curve);
    expect(o.series.map((s: { name: string }) => s.name)).toEqual(["layer 1", "layer 2"]);
    expect(o.yAxis.type).toBe("log");
  });
  it("labels each layer's series by its layer name, in layer order", () => {
    const named: EpochReport[] = [1, 2].map((epoch) => ({
      epoch,
      value: 0,
      folds: [0, 1].map(() => ({
        loss: 1,
        grad_norm: 3,
        "grad_norm/conv2d_0": 1 / epoch,
        "grad_norm/residual_1/conv2d_0": 2 / epoch,
        "grad_norm/residual_1/shortcut": 0.5,
        "grad_norm/output": 2,
      })),
    }));
    const o = gradNormOption(named);
    expect(o.legend.data).toEqual(["conv2d_0", "residual_1/conv2d_0", "residual_1/shortcut", "output"]);
    expect(o.series.map((s: { name: string }) => s.name)).toEqual(o.legend.data);
    expect(o.series[1].data).toEqual([
      [1, 2],
      [2, 1],
    ]);
  });
});

describe("validation metrics", () => {
  const curve: EpochReport[] = [1, 2].map((epoch) => ({
    epoch,
    value: 0,
    folds: [0, 1].map((k) => ({
      loss: 1,
      val_loss: 1,
      val_accuracy: 0.5 + k / 10,
      val_auc: 0.6 + epoch / 10 + k / 10,
      val_f1: 0.5,
      val_balanced_accuracy: 0.5,
      val_log_loss: 0.7 / epoch,
    })),
  }));
  it("plots the K-fold mean of every validation metric but val_loss: scores left, errors right", () => {
    expect(valMetricKeys(curve)).toEqual({
      scores: ["val_accuracy", "val_auc", "val_balanced_accuracy", "val_f1"],
      errors: ["val_log_loss"],
    });
    const o = valMetricsOption(curve);
    expect(o.series.map((s: { name: string; yAxisIndex: number }) => [s.name, s.yAxisIndex])).toEqual([
      ["val_accuracy", 0],
      ["val_auc", 0],
      ["val_balanced_accuracy", 0],
      ["val_f1", 0],
      ["val_log_loss", 1],
    ]);
    const auc = o.series[1].data as [number, number][];
    expect(auc[0]?.[0]).toBe(1);
    expect(auc[0]?.[1]).toBeCloseTo(0.75, 12);
    expect(auc[1]?.[1]).toBeCloseTo(0.85, 12);
  });
  it("uses one axis for a regression trial's errors", () => {
    const reg: EpochReport[] = [
      { epoch: 1, value: 0, folds: [{ val_loss: 1, val_mse: 4, val_rmse: 2, val_mae: 1.5 }] },
    ];
    const o = valMetricsOption(reg);
    expect(o.yAxis).toHaveLength(1);
    expect(o.series.map((s: { name: string }) => s.name)).toEqual(["val_mae", "val_mse", "val_rmse"]);
  });
});
