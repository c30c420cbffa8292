/** Parameter importance as horizontal bars, most important on top. */
import type { Importance } from "../../api/types.ts";
import type { ChartOption } from "../chart.ts";
import { TOOLTIP_BASE, tooltipHtml } from "../tooltip.ts";

export function importanceOption(imp: Importance): ChartOption {
  const sorted = [...imp.params].sort((a, b) => a.importance - b.importance);
  return {
    grid: { left: 12, right: 48, top: 16, bottom: 24, containLabel: true },
    tooltip: {
      ...TOOLTIP_BASE,
      trigger: "item",
      formatter: (p: { name: string; value: number }) =>
        tooltipHtml(p.name, [["importance", `${(p.value * 100).toFixed(1)} %`]]),
    },
    xAxis: { type: "value", max: 1, axisLabel: { formatter: (v: number) => `${Math.round(v * 100)}%` } },
    yAxis: {
      type: "category",
      data: sorted.map((p) => p.name),
      axisLabel: { width: 140, overflow: "truncate" },
    },
    series: [
      {
        type: "bar",
        data: sorted.map((p) => ({ name: p.name, value: p.importance })),
        label: { show: true, position: "right", formatter: (p: { value: number }) => `${(p.value * 100).toFixed(0)}%` },
        barMaxWidth: 22,
      },
    ],
  };
}
