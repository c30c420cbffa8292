/**
 * Learning curves of one trial: train vs validation loss (left axis) and metric (right axis), each
 * fold as a thin line and the K-fold mean as a bold one, so over-fitting shows as diverging lines.
 */
import type { EpochReport } from "@hpo/core";
import { fmtScore } from "../../format.ts";
import type { ChartOption } from "../chart.ts";
import { TOOLTIP_BASE, tooltipHtml } from "../tooltip.ts";
import { EPOCH_AXIS, keySeries, keysOf } from "./curve-series.ts";

const COLORS = { trainLoss: "#f5a524", valLoss: "#f31260", trainMetric: "#17c964", valMetric: "#4f7cff" };

/** Picks the loss and metric keys to plot: `loss`/`val_loss`, and the sweep metric with its train twin. */
export function curveKeys(curve: readonly EpochReport[], metricName: string) {
  const keys = new Set(keysOf(curve));
  const has = (k: string) => (keys.has(k) ? k : undefined);
  const valMetric = metricName !== "val_loss" ? has(metricName) : undefined;
  const trainMetric = valMetric ? has(valMetric.replace(/^val_/, "")) : undefined;
  return { trainLoss: has("loss"), valLoss: has("val_loss"), trainMetric, valMetric };
}

export function curvesOption(curve: readonly EpochReport[], metricName: string): ChartOption {
  const k = curveKeys(curve, metricName);
  const series: ChartOption[] = [];
  const legend: string[] = [];
  const add = (key: string | undefined, color: string, yAxisIndex: number, dashed: boolean) => {
    if (!key) return;
    const s = keySeries(curve, key);
    legend.push(key);
    for (const f of s.folds) {
      series.push({
        name: key,
        type: "line",
        yAxisIndex,
        symbol: "none",
        silent: true,
        lineStyle: { width: 1, opacity: 0.35, color, type: dashed ? "dashed" : "solid" },
        itemStyle: { color },
        data: f,
      });
    }
    series.push({
      name: key,
      type: "line",
      yAxisIndex,
      symbol: "circle",
      symbolSize: 4,
      lineStyle: { width: 2.5, color, type: dashed ? "dashed" : "solid" },
      itemStyle: { color },
      data: s.mean,
    });
  };
  const hasLoss = !!(k.trainLoss || k.valLoss);
  const metricAxis = hasLoss ? 1 : 0;
  add(k.trainLoss, COLORS.trainLoss, 0, true);
  add(k.valLoss, COLORS.valLoss, 0, false);
  add(k.trainMetric, COLORS.trainMetric, metricAxis, true);
  add(k.valMetric, COLORS.valMetric, metricAxis, false);
  const metricY = { type: "value", name: metricName.replace(/^val_/, ""), scale: true };
  return {
    grid: { left: 56, right: 60, top: 40, bottom: 40 },
    legend: { top: 0, data: legend },
    tooltip: {
      ...TOOLTIP_BASE,
      trigger: "axis",
      formatter: (
        ps: readonly { seriesName: string; data: [number, number]; lineStyle?: unknown; seriesIndex: number }[],
      ) => {
        const first = ps[0];
        if (!first) return "";
        // Only the bold mean lines carry symbols; report those.
        const rows = ps
          .filter((p) => series[p.seriesIndex]?.symbol === "circle")
          .map((p) => [`${p.seriesName} (mean)`, fmtScore(p.data[1])] as const);
        return tooltipHtml(`epoch ${first.data[0]}`, rows);
      },
    },
    xAxis: EPOCH_AXIS,
    yAxis: hasLoss
      ? [
          { type: "value", name: "loss", scale: true },
          { ...metricY, splitLine: { show: false } },
        ]
      : [metricY],
    series,
  };
}
