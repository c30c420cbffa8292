/** Queue depth by state (bars) and completed trials per minute over the last minutes (line). */
import type { Fleet } from "../../api/types.ts";
import type { ChartOption } from "../chart.ts";
import { TOOLTIP_BASE } from "../tooltip.ts";

const ORDER = ["waiting", "prioritized", "delayed", "active", "waiting-children", "completed", "failed"];

export function queueOption(f: Fleet): ChartOption {
  const states = [...new Set([...ORDER.filter((s) => s in f.queue), ...Object.keys(f.queue)])];
  return {
    grid: { left: 48, right: 16, top: 16, bottom: 40 },
    tooltip: { ...TOOLTIP_BASE, trigger: "axis", axisPointer: { type: "shadow" } },
    xAxis: { type: "category", data: states, axisLabel: { interval: 0, fontSize: 10.5 } },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      {
        type: "bar",
        barMaxWidth: 36,
        data: states.map((s) => f.queue[s] ?? 0),
        label: { show: true, position: "top" },
      },
    ],
  };
}

export function throughputOption(f: Fleet, now = Date.now()): ChartOption {
  return {
    grid: { left: 48, right: 16, top: 24, bottom: 40 },
    tooltip: { ...TOOLTIP_BASE, trigger: "axis" },
    // the last 30 minutes, even when only a few minutes have data
    xAxis: { type: "time", min: now - 30 * 60_000, max: now + 60_000 },
    yAxis: { type: "value", name: "trials/min", minInterval: 1 },
    series: [{ type: "bar", barMaxWidth: 18, data: f.recent.map(([t, v]) => [t, v]) }],
  };
}
