/**
 * ECharts, registered with only the charts and components the dashboard uses, and a small
 * wrapper that resizes with its container and disposes with its view.
 */
import { BarChart, BoxplotChart, LineChart, ParallelChart, ScatterChart } from "echarts/charts";
import {
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  ParallelComponent,
  TitleComponent,
  TooltipComponent,
  VisualMapComponent,
} from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([
  BarChart,
  BoxplotChart,
  LineChart,
  ParallelChart,
  ScatterChart,
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  ParallelComponent,
  TitleComponent,
  TooltipComponent,
  VisualMapComponent,
  CanvasRenderer,
]);

// biome-ignore lint/suspicious/noExplicitAny: ECharts option objects are loosely typed by design.
export type ChartOption = Record<string, any>;

export interface Chart {
  readonly el: HTMLElement;
  /** Replaces the chart's option (notMerge), so series that disappear are removed. */
  set(option: ChartOption): void;
  /** Called with the clicked data item's `value`/`name`/`id` fields. */
  onClick(fn: (params: { readonly data?: unknown; readonly name?: string }) => void): void;
  dispose(): void;
}

export const PALETTE = [
  "#4f7cff",
  "#f5a524",
  "#17c964",
  "#f31260",
  "#9353d3",
  "#06b7db",
  "#ff7a45",
  "#7828c8",
  "#889096",
  "#0e8a6a",
];

const BASE: ChartOption = {
  color: PALETTE,
  animation: false,
  textStyle: { fontFamily: "inherit", color: "#3f4654" },
  grid: { left: 56, right: 24, top: 36, bottom: 40, containLabel: false },
};

/** Creates a chart in a new element of the given height; call `dispose()` when the view goes. */
export function createChart(height: number, className = "chart"): Chart {
  const el = document.createElement("div");
  el.className = className;
  el.style.height = `${height}px`;
  let inst: echarts.ECharts | null = null;
  let pending: ChartOption | null = null;
  const clickHandlers: ((p: { data?: unknown; name?: string }) => void)[] = [];
  const ensure = (): echarts.ECharts | null => {
    if (inst) return inst;
    if (!el.isConnected || el.clientWidth === 0) return null;
    inst = echarts.init(el, undefined, { renderer: "canvas" });
    inst.on("click", (p) => {
      for (const fn of clickHandlers) fn(p as { data?: unknown; name?: string });
    });
    return inst;
  };
  const ro = new ResizeObserver(() => {
    const c = ensure();
    if (c && pending) {
      c.setOption(pending, { notMerge: true });
      pending = null;
    }
    c?.resize();
  });
  ro.observe(el);
  return {
    el,
    set(option) {
      const full = { ...BASE, ...option };
      const c = ensure();
      if (c) c.setOption(full, { notMerge: true });
      else pending = full;
    },
    onClick(fn) {
      clickHandlers.push(fn);
    },
    dispose() {
      ro.disconnect();
      inst?.dispose();
      inst = null;
    },
  };
}
