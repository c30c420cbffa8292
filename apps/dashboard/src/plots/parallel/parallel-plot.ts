/** Parallel coordinates: one axis per parameter plus the score; lines coloured by score. */
import type { Goal, SweepSpec } from "@hpo/core";
import type { TrialSample } from "../../api/types.ts";
import type { ChartOption } from "../chart.ts";
import { paramAxis } from "../param-axis.ts";

export function parallelOption(
  s: TrialSample,
  spec: SweepSpec | undefined,
  metricName: string,
  goal: Goal,
): ChartOption {
  const axes = s.params.map((name) =>
    paramAxis(
      spec,
      name,
      s.rows.map((r) => r.params[name]),
    ),
  );
  const scores = s.rows.map((r) => r.score);
  const min = Math.min(...scores);
  const max = Math.max(...scores);
  const parallelAxis = [
    ...axes.map((a, i) =>
      a.kind === "category"
        ? { dim: i, name: a.name, type: "category", data: a.categories }
        : { dim: i, name: a.name, type: a.kind, scale: true },
    ),
    { dim: axes.length, name: metricName, type: "value", scale: true, inverse: goal === "minimize" },
  ];
  return {
    grid: undefined,
    parallel: {
      left: 56,
      right: 110,
      top: 40,
      bottom: 28,
      parallelAxisDefault: { nameTextStyle: { fontSize: 11 }, nameTruncate: { maxWidth: 90 } },
    },
    parallelAxis,
    visualMap: {
      type: "continuous",
      min: Number.isFinite(min) ? min : 0,
      max: Number.isFinite(max) ? max : 1,
      dimension: axes.length,
      inverse: goal === "minimize",
      right: 0,
      top: "middle",
      itemHeight: 120,
      calculable: true,
      precision: 3,
      inRange: { color: ["#d7e3ff", "#4f7cff", "#1b2b7a"] },
      textStyle: { fontSize: 10 },
    },
    series: [
      {
        type: "parallel",
        lineStyle: { width: 1, opacity: 0.45 },
        progressive: 500,
        data: s.rows.map((r) => [...axes.map((a) => a.toAxis(r.params[a.name])), r.score]),
      },
    ],
  };
}
