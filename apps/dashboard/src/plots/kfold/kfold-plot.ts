/**
 * K-fold spread of the top configs: a box per trial over its fold scores, the individual folds as
 * points, the mean as a diamond and, beside the box, the corrected 95 % CI of the mean as a bar
 * (docs/statistics.md), so a "best" trial that won by one lucky fold stands out, and so do the
 * trials tied with it (their bars are drawn in the tie colour).
 */
import type { TrialRow } from "../../api/types.ts";
import { fmtInterval, fmtMeanStd, fmtPValue, fmtScore, fmtSpread } from "../../format.ts";
import type { ChartOption } from "../chart.ts";
import { TOOLTIP_BASE, tooltipHtml } from "../tooltip.ts";

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}

export function kfoldOption(top: readonly TrialRow[], metricName: string): ChartOption {
  const ids = top.map((t) => t.id);
  const box = top.map((t) => {
    const s = t.foldScores.filter((v): v is number => v !== undefined).sort((a, b) => a - b);
    return [s[0], quantile(s, 0.25), quantile(s, 0.5), quantile(s, 0.75), s[s.length - 1]];
  });
  const points = top.flatMap((t, i) =>
    t.foldScores
      .map((v, k) => (v === undefined ? null : { value: [i, v], fold: k, id: t.id }))
      .filter((p) => p !== null),
  );
  return {
    grid: { left: 56, right: 16, top: 30, bottom: 48 },
    legend: { top: 0, right: 8, data: ["folds", "mean", "95% CI"] },
    tooltip: {
      ...TOOLTIP_BASE,
      trigger: "item",
      formatter: (p: { seriesName: string; dataIndex: number; data: unknown }) => {
        const t = top[p.seriesName === "folds" ? ((p.data as { value: [number] }).value[0] ?? 0) : p.dataIndex];
        if (!t) return "";
        return tooltipHtml(`trial ${t.id}`, [
          ["mean ± std", fmtMeanStd(t.mean, t.std)],
          ["95% CI", fmtInterval(t.ciLow, t.ciHigh)],
          ["tied with best", t.tied === undefined ? "—" : `${t.tied ? "yes" : "no"} (p = ${fmtPValue(t.pBest)})`],
          ["sem", fmtSpread(t.sem)],
          ["folds", t.foldScores.map((v) => fmtScore(v)).join(", ")],
        ]);
      },
    },
    xAxis: { type: "category", data: ids, axisLabel: { rotate: ids.length > 8 ? 30 : 0 } },
    yAxis: { type: "value", scale: true, name: metricName },
    series: [
      { name: "spread", type: "boxplot", data: box, itemStyle: { color: "#eef2ff", borderColor: "#4f7cff" } },
      { name: "folds", type: "scatter", symbolSize: 7, itemStyle: { color: "#f5a524", opacity: 0.85 }, data: points },
      {
        name: "mean",
        type: "scatter",
        symbol: "diamond",
        symbolSize: 11,
        itemStyle: { color: "#1b2b7a" },
        data: top.map((t, i) => [i, t.mean ?? null]),
      },
      {
        // a thin box from ciLow to ciHigh with the mean as its middle line: an error bar
        name: "95% CI",
        type: "boxplot",
        boxWidth: [3, 5],
        itemStyle: { color: "#1b2b7a", borderColor: "#1b2b7a" },
        data: top.map((t) =>
          t.ciLow === undefined || t.ciHigh === undefined || t.mean === undefined
            ? []
            : {
                value: [t.ciLow, t.ciLow, t.mean, t.ciHigh, t.ciHigh],
                itemStyle: t.tied ? { color: "#17a673", borderColor: "#17a673" } : {},
              },
        ),
      },
    ],
  };
}
