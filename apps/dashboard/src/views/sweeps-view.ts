/** Sweeps: every sweep, newest first, with live progress. */
import { subscribe } from "../api/events.ts";
import { listSweeps } from "../api/sweeps.ts";
import type { SweepSummary } from "../api/types.ts";
import { progress, stateBadge } from "../components/badges.ts";
import { gridTable } from "../components/grid-table.ts";
import { el, replace } from "../dom.ts";
import { fmtDuration, fmtMeanStd, fmtTime } from "../format.ts";
import { href, type View } from "./view.ts";

export function sweepsView(): View {
  const rows = new Map<string, SweepSummary>();
  const tbody = el("tbody");
  const empty = el("p", { class: "muted empty" }, "Loading sweeps…");
  const table = gridTable(
    "sweeps-table",
    ["name", "status", "progress", "best K-fold score", "metric", "started", "duration"],
    tbody,
  );
  const root = el(
    "section",
    { class: "page" },
    el(
      "div",
      { class: "page-head" },
      el("h1", null, "Sweeps"),
      el("a", { class: "button primary", attrs: { href: href.submit() } }, "New sweep"),
    ),
    el("div", { class: "card flush" }, table, empty),
  );

  function rowEl(s: SweepSummary): HTMLElement {
    return el(
      "tr",
      { attrs: { "data-sweep": s.id } },
      el(
        "td",
        { class: "name" },
        el("a", { attrs: { href: href.sweep(s.id) } }, el("bdi", null, s.name)),
        el("div", { class: "muted mono small" }, s.id),
      ),
      el("td", null, stateBadge(s.status)),
      el("td", { class: "progress-cell" }, progress(s)),
      el(
        "td",
        { class: "num strong", attrs: { "data-testid": "best" } },
        s.best ? fmtMeanStd(s.best.mean, s.best.std) : "—",
      ),
      el("td", { class: "muted" }, `${s.metricName} (${s.goal === "maximize" ? "max" : "min"})`),
      el("td", { class: "muted" }, fmtTime(s.createdAt)),
      el(
        "td",
        { class: "num duration" },
        fmtDuration(s.status === "running" ? Date.now() - s.createdAt : s.durationMs),
      ),
    );
  }

  function render(): void {
    const list = [...rows.values()].sort((a, b) => b.createdAt - a.createdAt);
    replace(tbody, ...list.map(rowEl));
    empty.textContent = list.length === 0 ? "No sweeps yet. Submit one with “New sweep” or `pnpm hpo submit`." : "";
    empty.hidden = list.length > 0;
  }

  let dead = false;
  listSweeps()
    .then((page) => {
      if (dead) return;
      for (const s of page.items) rows.set(s.id, s);
      render();
    })
    .catch((e: unknown) => {
      empty.textContent = `Could not load sweeps: ${e instanceof Error ? e.message : String(e)}`;
    });
  const unsub = subscribe({
    snapshot: (all) => {
      for (const s of all) rows.set(s.id, s);
      render();
    },
    sweep: (s) => {
      rows.set(s.id, s);
      render();
    },
  });
  // Running sweeps' durations tick.
  const tick = setInterval(() => {
    for (const tr of tbody.querySelectorAll<HTMLElement>("tr")) {
      const s = rows.get(tr.dataset.sweep ?? "");
      const cell = tr.querySelector(".duration");
      if (s && cell && s.status === "running") cell.textContent = fmtDuration(Date.now() - s.createdAt);
    }
  }, 1000);
  return {
    el: root,
    destroy() {
      dead = true;
      unsub();
      clearInterval(tick);
    },
  };
}
