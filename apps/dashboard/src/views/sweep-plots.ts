/**
 * The analysis plots of a sweep: optimization history, parameter importance, parallel coordinates,
 * slice plot and the K-fold spread of the top configs. Data comes from the server, bounded in size
 * (downsampled history, a sample of trials, the top 12 rows).
 */
import { getHistory, getImportance, getSample } from "../api/analysis.ts";
import { getLeaderboard } from "../api/trials.ts";
import type { SweepSummary, TrialSample } from "../api/types.ts";
import { el } from "../dom.ts";
import { type Chart, createChart } from "../plots/chart.ts";
import { historyOption } from "../plots/history/history-plot.ts";
import { importanceOption } from "../plots/importance/importance-plot.ts";
import { kfoldOption } from "../plots/kfold/kfold-plot.ts";
import { parallelOption } from "../plots/parallel/parallel-plot.ts";
import { sliceOption } from "../plots/slice/slice-plot.ts";
import { href, navigate } from "./view.ts";

export interface SweepPlots {
  readonly el: HTMLElement;
  /** Loads the plots' data (first call only): the view calls it once the leaderboard is shown. */
  start(): void;
  refresh(s: SweepSummary): void;
  destroy(): void;
}

function card(title: string, chart: Chart, note: HTMLElement, extra?: HTMLElement, wide = false): HTMLElement {
  return el(
    "div",
    { class: `card plot${wide ? " wide" : ""}` },
    el("div", { class: "card-head" }, el("h2", null, title), extra ?? null),
    note,
    chart.el,
  );
}

export function sweepPlots(initial: SweepSummary): SweepPlots {
  let sweep = initial;
  let sample: TrialSample | null = null;
  const history = createChart(300);
  const importance = createChart(300);
  const parallel = createChart(340);
  const slice = createChart(300);
  const kfold = createChart(300);
  const notes = {
    history: el("p", { class: "muted small note" }),
    importance: el("p", { class: "muted small note" }),
    parallel: el("p", { class: "muted small note" }),
    slice: el("p", { class: "muted small note" }),
    kfold: el("p", { class: "muted small note" }),
  };
  const paramSel = el("select", { attrs: { "aria-label": "slice parameter", "data-testid": "slice-param" } });
  for (const p of sweep.paramNames) paramSel.appendChild(el("option", { attrs: { value: p } }, p));
  paramSel.addEventListener("change", () => drawSlice());
  let importanceTimer: ReturnType<typeof setTimeout> | undefined;
  let dead = false;

  history.onClick((p) => {
    const id = (p.data as { id?: string } | undefined)?.id;
    if (id) navigate(href.trial(sweep.id, id));
  });
  slice.onClick((p) => {
    const id = (p.data as { id?: string } | undefined)?.id;
    if (id) navigate(href.trial(sweep.id, id));
  });

  const root = el(
    "div",
    { class: "plots" },
    card("Optimization history", history, notes.history),
    card("Parameter importance", importance, notes.importance),
    card("Parallel coordinates", parallel, notes.parallel, undefined, true),
    card("Slice", slice, notes.slice, paramSel),
    card("K-fold spread of the top configs", kfold, notes.kfold),
  );

  const fail = (note: HTMLElement) => (e: unknown) => {
    if (!dead) note.textContent = `could not load: ${e instanceof Error ? e.message : String(e)}`;
  };

  function drawSlice(): void {
    if (!sample) return;
    const p = paramSel.value || sweep.paramNames[0];
    if (!p) return;
    slice.set(sliceOption(sample, sweep.spec, p, sweep.metricName));
  }

  async function loadImportance(): Promise<void> {
    clearTimeout(importanceTimer);
    try {
      const imp = await getImportance(sweep.id);
      if (dead) return;
      notes.importance.textContent =
        imp.status === "insufficient"
          ? `needs at least a few completed trials (${imp.completed} so far)`
          : `${imp.method} over ${imp.completed} completed trials${imp.status === "computing" ? " (updating…)" : ""}`;
      if (imp.params.length > 0) importance.set(importanceOption(imp));
      if (imp.status === "computing") importanceTimer = setTimeout(() => void loadImportance(), 1500);
    } catch (e) {
      fail(notes.importance)(e);
    }
  }

  function load(): void {
    getHistory(sweep.id)
      .then((h) => {
        if (dead) return;
        notes.history.textContent = `${h.completed} completed trials${h.points.length < h.completed ? `, ${h.points.length} points shown (downsampled)` : ""}`;
        history.set(historyOption(h, sweep.metricName, sweep.goal));
      })
      .catch(fail(notes.history));
    getSample(sweep.id)
      .then((s) => {
        if (dead) return;
        sample = s;
        const note =
          s.rows.length < s.completed
            ? `${s.rows.length} of ${s.completed} trials (best ones and an even spread)`
            : `${s.rows.length} completed trials`;
        notes.parallel.textContent = note;
        notes.slice.textContent = note;
        if (s.rows.length > 0) parallel.set(parallelOption(s, sweep.spec, sweep.metricName, sweep.goal));
        drawSlice();
      })
      .catch(fail(notes.parallel));
    getLeaderboard(sweep.id, { sort: "score", dir: "desc", states: ["completed"] }, 0, 12)
      .then((p) => {
        if (dead) return;
        notes.kfold.textContent = p.items.length
          ? `top ${p.items.length} by K-fold mean; dots are folds, ◆ the mean`
          : "no completed trials yet";
        if (p.items.length) kfold.set(kfoldOption(p.items, sweep.metricName));
      })
      .catch(fail(notes.kfold));
    void loadImportance();
  }
  let started = false;
  return {
    el: root,
    start() {
      if (started) return;
      started = true;
      load();
    },
    refresh(s) {
      sweep = s;
      if (started) load();
    },
    destroy() {
      dead = true;
      clearTimeout(importanceTimer);
      for (const c of [history, importance, parallel, slice, kfold]) c.dispose();
    },
  };
}
