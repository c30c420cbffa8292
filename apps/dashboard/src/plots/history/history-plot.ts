/** Optimization history: each completed trial's K-fold score and the best so far. */
import type { Goal } from "@hpo/core";
import type { History } from "../../api/types.ts";
import { fmtScore } from "../../format.ts";
import type { ChartOption } from "../chart.ts";
import { TOOLTIP_BASE, tooltipHtml } from "../tooltip.ts";

export function historyOption(h: History, metricName: string, goal: Goal): ChartOption {
  return {
    tooltip: {
      ...TOOLTIP_BASE,
      trigger: "item",
      formatter: (p: { seriesName: string; data: { value: [number, number]; id?: string } }) =>
        tooltipHtml(p.data.id ? `trial ${p.data.id}` : p.seriesName, [
          ["trial #", String(p.data.value[0])],
          [metricName, fmtScore(p.data.value[1])],
        ]),
    },
    legend: { top: 0, right: 8, data: ["trial", "best so far"] },
    xAxis: { type: "value", name: "trial #", nameLocation: "middle", nameGap: 26, min: 0 },
    yAxis: { type: "value", name: `${metricName} (${goal})`, scale: true, nameTextStyle: { align: "left" } },
    dataZoom: [{ type: "inside" }],
    series: [
      {
        name: "trial",
        type: "scatter",
        symbolSize: 5,
        large: h.points.length > 2000,
        itemStyle: { opacity: 0.55 },
        data: h.points.map((p) => ({ value: [p.index, p.score], id: p.trialId })),
      },
      {
        name: "best so far",
        type: "line",
        step: "end",
        symbol: "none",
        lineStyle: { width: 2 },
        data: h.best.map(([i, v]) => ({ value: [i, v] })),
      },
    ],
  };
}
