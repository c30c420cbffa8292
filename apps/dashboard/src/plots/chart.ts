/**
 * A small wrapper around an ECharts instance: created on demand (ECharts itself is loaded lazily
 * from `echarts-lib.ts`), resized with its container and disposed with its view.
 */
import type { ECharts } from "echarts/core";

// biome-ignore lint/suspicious/noExplicitAny: ECharts option objects are loosely typed by design.
export type ChartOption = Record<string, any>;

let lib: typeof import("echarts/core") | null = null;
let loading: Promise<void> | null = null;
function loadLib(): Promise<void> {
  loading ??= import("./echarts-lib.ts").then((m) => {
    lib = m.echarts;
  });
  return loading;
}

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

/**
 * Creates a chart in a new element of the given height; call `dispose()` when the view goes.
 * ECharts is initialised (and the latest option drawn) only once the element is on screen, so
 * charts below the fold cost nothing until the user scrolls to them.
 */
export function createChart(height: number, className = "chart"): Chart {
  const el = document.createElement("div");
  el.className = className;
  el.style.height = `${height}px`;
  let inst: ECharts | null = null;
  let pending: ChartOption | null = null;
  const clickHandlers: ((p: { data?: unknown; name?: string }) => void)[] = [];
  let visible = false;
  let disposed = false;
  const ensure = (): ECharts | null => {
    if (inst) return inst;
    if (!visible || !el.isConnected || el.clientWidth === 0) return null;
    if (!lib) {
      void loadLib().then(() => {
        if (disposed) return;
        const c = ensure();
        if (c && pending) {
          c.setOption(pending, { notMerge: true });
          pending = null;
        }
      });
      return null;
    }
    inst = lib.init(el, undefined, { renderer: "canvas" });
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
  const io = new IntersectionObserver(
    (entries) => {
      if (!entries.some((e) => e.isIntersecting)) return;
      visible = true;
      io.disconnect();
      const c = ensure();
      if (c && pending) {
        c.setOption(pending, { notMerge: true });
        pending = null;
      }
    },
    { rootMargin: "200px" },
  );
  io.observe(el);
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
      disposed = true;
      ro.disconnect();
      io.disconnect();
      inst?.dispose();
      inst = null;
    },
  };
}
