/** Gradient norms per layer over epochs (mean over folds), on a log axis. */
import type { EpochReport } from "@hpo/core";
import { fmtScore } from "../../format.ts";
import type { ChartOption } from "../chart.ts";
import { EPOCH_AXIS, keySeries, keysOf } from "../curves/curve-series.ts";
import { TOOLTIP_BASE, tooltipHtml } from "../tooltip.ts";

/** Epoch-record keys that hold gradient norms: `grad_norm` or per-layer `grad_norm/<layer>` etc. */
export function gradKeys(curve: readonly EpochReport[]): string[] {
  const all = keysOf(curve).filter((k) => /^grad(_norm|norm)?([/:._-]|$)/i.test(k));
  const perLayer = all.filter((k) => !/^grad(_norm|norm)?$/i.test(k));
  return perLayer.length > 0 ? perLayer : all;
}

/** Legend label of a gradient-norm key: `grad_norm_l0` → "layer 1". */
export function gradLabel(key: string): string {
  const m = /^grad_?norm_l(\d+)$/.exec(key);
  return m ? `layer ${Number(m[1]) + 1}` : key;
}

export function gradNormOption(curve: readonly EpochReport[]): ChartOption {
  const keys = gradKeys(curve);
  return {
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
