/**
 * Every validation metric of one trial over epochs (K-fold means): the scores in [0, 1] (accuracy,
 * AUC, F1, balanced accuracy, R²) on the left axis, the errors and losses (log loss, RMSE, MSE, MAE)
 * on the right one. `val_loss` has its place in the learning curves.
 */
import type { EpochReport } from "@hpo/core";
import { fmtScore } from "../../format.ts";
import type { ChartOption } from "../chart.ts";
import { EPOCH_AXIS, keySeries, keysOf } from "../curves/curve-series.ts";
import { TOOLTIP_BASE, tooltipHtml } from "../tooltip.ts";

/** Validation metrics that grow as the model gets better (plotted on the left axis). */
const SCORES = /^val_(accuracy|auc|f1|balanced_accuracy|r2)$/;

/** Validation-metric keys of the curve (all `val_…` but `val_loss`): scores first, then errors, each sorted. */
export function valMetricKeys(curve: readonly EpochReport[]): { scores: string[]; errors: string[] } {
  const keys = keysOf(curve)
    .filter((k) => k.startsWith("val_") && k !== "val_loss")
    .sort();
  return { scores: keys.filter((k) => SCORES.test(k)), errors: keys.filter((k) => !SCORES.test(k)) };
}

export function valMetricsOption(curve: readonly EpochReport[]): ChartOption {
  const { scores, errors } = valMetricKeys(curve);
  const line = (key: string, yAxisIndex: number) => ({
    name: key,
    type: "line",
    yAxisIndex,
    symbol: "circle",
    symbolSize: 4,
    lineStyle: { width: 2, type: yAxisIndex === 0 ? "solid" : "dashed" },
    data: keySeries(curve, key).mean,
  });
  const yAxis: ChartOption[] = [];
  if (scores.length > 0) yAxis.push({ type: "value", name: "score", scale: true });
  if (errors.length > 0) yAxis.push({ type: "value", name: "error", scale: true, splitLine: { show: false } });
  return {
    grid: { left: 56, right: 60, top: 40, bottom: 40 },
    legend: { top: 0, type: "scroll", data: [...scores, ...errors] },
    tooltip: {
      ...TOOLTIP_BASE,
      trigger: "axis",
      formatter: (ps: readonly { seriesName: string; data: [number, number] }[]) =>
        tooltipHtml(
          `epoch ${ps[0]?.data[0] ?? ""} (K-fold mean)`,
          ps.map((p) => [p.seriesName, fmtScore(p.data[1])] as const),
        ),
    },
    xAxis: EPOCH_AXIS,
    yAxis,
    series: [...scores.map((k) => line(k, 0)), ...errors.map((k) => line(k, scores.length > 0 ? 1 : 0))],
  };
}
