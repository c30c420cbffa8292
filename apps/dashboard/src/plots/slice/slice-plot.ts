/** Slice plot: the score against one parameter, each point a completed trial. */
import type { SweepSpec } from "@hpo/core";
import type { TrialSample } from "../../api/types.ts";
import { fmtParam, fmtScore } from "../../format.ts";
import type { ChartOption } from "../chart.ts";
import { paramAxis } from "../param-axis.ts";
import { TOOLTIP_BASE, tooltipHtml } from "../tooltip.ts";

export function sliceOption(
  s: TrialSample,
  spec: SweepSpec | undefined,
  param: string,
  metricName: string,
): ChartOption {
  const axis = paramAxis(
    spec,
    param,
    s.rows.map((r) => r.params[param]),
  );
  const data = s.rows
    .map((r) => ({ value: [axis.toAxis(r.params[param]), r.score], id: r.id, raw: fmtParam(r.params[param]) }))
    .filter((d) => d.value[0] !== null);
  return {
    tooltip: {
      ...TOOLTIP_BASE,
      trigger: "item",
      formatter: (p: { data: { value: [unknown, number]; id: string; raw: string } }) =>
        tooltipHtml(`trial ${p.data.id}`, [
          [param, p.data.raw],
          [metricName, fmtScore(p.data.value[1])],
        ]),
    },
    xAxis:
      axis.kind === "category"
        ? { type: "category", data: axis.categories, name: param, nameLocation: "middle", nameGap: 26 }
        : { type: axis.kind, scale: true, name: param, nameLocation: "middle", nameGap: 26 },
    yAxis: { type: "value", scale: true, name: metricName },
    series: [
      {
        type: "scatter",
        symbolSize: 6,
        itemStyle: { opacity: 0.6 },
        large: data.length > 2000,
        data,
      },
    ],
  };
}
