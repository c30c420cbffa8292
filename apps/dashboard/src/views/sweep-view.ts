/** Sweep: header, leaderboard and plots; refreshes itself on live events for this sweep. */
import { subscribe } from "../api/events.ts";
import { getSweep } from "../api/sweeps.ts";
import { getLeaderboard } from "../api/trials.ts";
import type { SweepSummary } from "../api/types.ts";
import { sweepActions } from "../components/actions.ts";
import { createLeaderboard, DEFAULT_QUERY, type Leaderboard, PAGE } from "../components/leaderboard.ts";
import { el } from "../dom.ts";
import { renderSweepHead } from "./sweep-head.ts";
import { type SweepPlots, sweepPlots } from "./sweep-plots.ts";
import { href, navigate, type View } from "./view.ts";

const TABLE_EVERY_MS = 1000;
const PLOTS_EVERY_MS = 4000;

export function sweepView(id: string): View {
  const head = el("div", { class: "sweep-head" });
  const actionsSlot = el("div");
  const lbSlot = el("div", { class: "card flush" }, el("p", { class: "muted empty" }, "Loading…"));
  const plotsSlot = el("div");
  const root = el(
    "section",
    { class: "page", attrs: { "data-testid": "sweep-view" } },
    head,
    actionsSlot,
    lbSlot,
    plotsSlot,
  );
  let sweep: SweepSummary | null = null;
  let lb: Leaderboard | null = null;
  let plots: SweepPlots | null = null;
  let actions: ReturnType<typeof sweepActions> | null = null;
  let dead = false;
  let lastTable = 0;
  let lastPlots = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let startTimer: ReturnType<typeof setTimeout> | undefined;
  // The first rows are requested together with the sweep, not after it.
  const initial = getLeaderboard(id, DEFAULT_QUERY, 0, PAGE);
  initial.catch(() => undefined);

  function show(s: SweepSummary): void {
    const first = sweep === null;
    const changed = !first && JSON.stringify(sweep?.counts) !== JSON.stringify(s.counts);
    sweep = s;
    document.title = `${s.name} · hpo`;
    renderSweepHead(head, s);
    if (first) {
      actions = sweepActions(s, show);
      actionsSlot.appendChild(actions.el);
      lb = createLeaderboard({
        sweepId: s.id,
        paramNames: s.paramNames,
        folds: s.folds,
        metricName: s.metricName,
        onOpen: (t) => navigate(href.trial(s.id, t)),
        initial,
        // the leaderboard first: plot data loads once its first page is on screen
        onFirstPage: () => plots?.start(),
      });
      lbSlot.replaceChildren(lb.el);
      plots = sweepPlots(s);
      plotsSlot.appendChild(plots.el);
      startTimer = setTimeout(() => plots?.start(), 3000); // even if the leaderboard cannot load
      return;
    }
    actions?.update(s);
    if (changed || s.status !== "running") refreshSoon();
  }

  // Throttle: the table at most once a second, plots every few seconds, and always a last one.
  function refreshSoon(): void {
    const now = Date.now();
    if (now - lastTable >= TABLE_EVERY_MS) {
      lastTable = now;
      lb?.refresh();
    }
    if (now - lastPlots >= PLOTS_EVERY_MS && sweep) {
      lastPlots = now;
      plots?.refresh(sweep);
    }
    clearTimeout(timer);
    timer = setTimeout(() => {
      lastTable = Date.now();
      lastPlots = Date.now();
      lb?.refresh();
      if (sweep) plots?.refresh(sweep);
    }, PLOTS_EVERY_MS);
  }

  getSweep(id)
    .then((s) => {
      if (!dead) show(s);
    })
    .catch((e: unknown) => {
      lbSlot.replaceChildren(
        el(
          "p",
          { class: "error-text empty" },
          `Could not load sweep ${id}: ${e instanceof Error ? e.message : String(e)}`,
        ),
      );
    });
  const unsub = subscribe({
    snapshot: (all) => {
      const s = all.find((x) => x.id === id);
      if (s && sweep) show(s);
    },
    sweep: (s) => {
      if (s.id === id && sweep) show(s);
    },
  });
  return {
    el: root,
    destroy() {
      dead = true;
      unsub();
      clearTimeout(timer);
      clearTimeout(startTimer);
      lb?.destroy();
      plots?.destroy();
      actions?.destroy();
    },
  };
}
