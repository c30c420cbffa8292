/** Gradient norms per layer over epochs (mean over folds), on a log axis. */
import { type EpochReport, gradNormLayer } from "@hpo/core";
import { fmtScore } from "../../format.ts";
import type { ChartOption } from "../chart.ts";
import { EPOCH_AXIS, keySeries, keysOf } from "../curves/curve-series.ts";
import { TOOLTIP_BASE, tooltipHtml } from "../tooltip.ts";

/**
 * Epoch-record keys that hold gradient norms, in the order the trainer wrote them (first layer
 * first): the per-layer ones (`grad_norm/<layer>`, `grad_norm_l<i>`, a program's `grad/<x>`) when
 * there are any, else the global `grad_norm`.
 */
export function gradKeys(curve: readonly EpochReport[]): string[] {
  const all = keysOf(curve).filter((k) => /^grad(_norm|norm)?([/:._-]|$)/i.test(k));
  const perLayer = all.filter((k) => !/^grad(_norm|norm)?$/i.test(k));
  return perLayer.length > 0 ? perLayer : all;
}

/**
 * Legend label of a gradient-norm key: the layer's name (`grad_norm/conv2d_0` → "conv2d_0",
 * `grad_norm/residual_1/shortcut` → "residual_1/shortcut"); records stored before layer names:
 * `grad_norm_l0` → "layer 1"; any other key as it is.
 */
export function gradLabel(key: string): string {
  return gradNormLayer(key) ?? key;
}

export function gradNormOption(curve: readonly EpochReport[]): ChartOption {
  const keys = gradKeys(curve);
  return {
    // the chart's aria-label names each series (its layer) for screen readers, and for tests
    aria: { enabled: true, data: { maxCount: 1 } },
    title: { show: false, text: "gradient norm per layer" },
    grid: { left: 64, right: 16, top: 40, bottom: 40 },
    legend: { top: 0, type: "scroll", data: keys.map(gradLabel) },
    tooltip: {
      ...TOOLTIP_BASE,
      trigger: "axis",
      formatter: (ps: readonly { seriesName: string; data: [number, number] }[]) =>
        tooltipHtml(
          `epoch ${ps[0]?.data[0] ?? ""}`,
          ps.map((p) => [p.seriesName, fmtScore(p.data[1])] as const),
        ),
    },
    xAxis: EPOCH_AXIS,
    yAxis: { type: "log", name: "‖g‖", scale: true },
    series: keys.map((key) => ({
      name: gradLabel(key),
      type: "line",
      symbol: "none",
      lineStyle: { width: 2 },
      data: keySeries(curve, key).mean.filter(([, v]) => v > 0),
    })),
  };
}
