/**
 * The leaderboard: a virtualized table of a sweep's trials. Sorting and filtering run on the
 * server; the table only asks for the pages the viewport shows (fixed row height, a pool of row
 * elements), so 100,000 rows scroll as smoothly as 100.
 */
import { TRIAL_STATES, type TrialState } from "@hpo/core";
import { ApiError } from "../api/client.ts";
import { getLeaderboard } from "../api/trials.ts";
import type { LeaderboardPage, LeaderboardQuery, SortDir, TrialRow } from "../api/types.ts";
import { type Child, el, replace } from "../dom.ts";
import { fmtDuration, fmtInt, fmtInterval, fmtMeanStd, fmtParam, fmtPValue, fmtScore, fmtSpread } from "../format.ts";
import { flagChip, stateBadge } from "./badges.ts";

const ROW_H = 30;
/** Rows per request. */
export const PAGE = 100;
/** The query a leaderboard starts with: best K-fold mean first, no filter. */
export const DEFAULT_QUERY: LeaderboardQuery = { sort: "score", dir: "desc", states: [] };
const OVERSCAN = 10;
/** How soon a page answered from a partly loaded sweep is asked again. */
const PARTIAL_RETRY_MS = 250;

export interface LeaderboardOptions {
  readonly sweepId: string;
  readonly paramNames: readonly string[];
  readonly folds: number;
  readonly metricName: string;
  /** Called when a row is clicked. */
  readonly onOpen: (trialId: string) => void;
  /** Most height of the scrolling body in px (default 460). */
  readonly height?: number;
  /** The first page of DEFAULT_QUERY, when the caller already asked for it (saves a round trip). */
  readonly initial?: Promise<LeaderboardPage>;
  /** Called once, after the first page of rows is on screen. */
  readonly onFirstPage?: () => void;
}

export interface Leaderboard {
  readonly el: HTMLElement;
  /** Re-fetches the visible pages (live updates), keeping the current rows on screen meanwhile. */
  refresh(): void;
  destroy(): void;
}

interface Column {
  readonly label: string;
  /** Server sort key; absent: not sortable. */
  readonly sort?: string;
  readonly width: number;
  readonly cls?: string;
  render(r: TrialRow): Child;
}

const FLAGS = ["overfitting", "vanishing_gradients", "exploding_gradients", "diverged", "pruned"];

function columns(o: LeaderboardOptions): Column[] {
  const cols: Column[] = [
    { label: "trial", sort: "index", width: 76, cls: "mono", render: (r) => r.id },
    { label: "state", sort: "state", width: 106, render: (r) => stateBadge(r.state) },
    {
      label: `${o.metricName} mean ± std`,
      sort: "score",
      width: 180,
      cls: "num strong",
      render: (r) => fmtMeanStd(r.mean, r.std),
    },
    {
      label: "95% CI",
      width: 170,
      cls: "num",
      render: (r) =>
        el(
          "span",
          { title: r.tied ? `tied with the best (p = ${fmtPValue(r.pBest)}): not distinguishable at α = 0.05` : "" },
          fmtInterval(r.ciLow, r.ciHigh),
          ...(r.tied ? [el("span", { class: "tie-mark" }, " ≈")] : []),
        ),
    },
    { label: "std", sort: "std", width: 70, cls: "num", render: (r) => fmtSpread(r.std) },
    { label: "sem", sort: "sem", width: 70, cls: "num", render: (r) => fmtSpread(r.sem) },
  ];
  for (let k = 0; k < o.folds; k++) {
    cols.push({
      label: `fold ${k + 1}`,
      sort: `f:${k}`,
      width: 74,
      cls: "num fold",
      render: (r) => fmtScore(r.foldScores[k]),
    });
  }
  for (const p of o.paramNames) {
    cols.push({ label: p, sort: `p:${p}`, width: 112, cls: "param", render: (r) => fmtParam(r.params[p]) });
  }
  cols.push({
    label: "flags",
    width: 210,
    render: (r) =>
      el(
        "span",
        { class: "flags" },
        ...(r.prunedAt !== undefined ? [flagChip(`pruned @ ${r.prunedAt}`)] : []),
        ...r.flags.filter((f) => f !== "pruned").map(flagChip),
      ),
  });
  cols.push({ label: "duration", sort: "duration", width: 86, cls: "num", render: (r) => fmtDuration(r.durationMs) });
  return cols;
}

export function createLeaderboard(o: LeaderboardOptions): Leaderboard {
  const cols = columns(o);
  const maxHeight = o.height ?? 460;
  const totalWidth = cols.reduce((a, c) => a + c.width, 0);
  let q: LeaderboardQuery = DEFAULT_QUERY;
  let total = 0;
  let unfiltered = 0;
  let gen = 0;
  let cache = new Map<number, readonly TrialRow[]>();
  let stale = new Map<number, readonly TrialRow[]>();
  const inflight = new Set<string>();
  /** Page keys (`gen:page`) the server refused with a 4xx in their generation. */
  const refused = new Set<string>();
  let fetchTimer: ReturnType<typeof setTimeout> | undefined;
  let partialTimer: ReturnType<typeof setTimeout> | undefined;
  let raf = 0;
  let destroyed = false;
  let firstShown = false;
  let shownTotal = -1;

  // toolbar
  const stateSel = el(
    "select",
    { attrs: { "data-testid": "state-filter", "aria-label": "state" } },
    el("option", { attrs: { value: "" } }, "all states"),
    ...TRIAL_STATES.map((s) => el("option", { attrs: { value: s } }, s)),
  );
  const flagSel = el(
    "select",
    { attrs: { "data-testid": "flag-filter", "aria-label": "flag" } },
    el("option", { attrs: { value: "" } }, "any flag"),
    ...FLAGS.map((f) => el("option", { attrs: { value: f } }, f)),
  );
  const filterInput = el("input", {
    attrs: {
      type: "search",
      placeholder: "filter params, e.g. lr<0.01 optimizer=adam",
      "data-testid": "param-filter",
      spellcheck: "false",
    },
  });
  const countText = el("span", { class: "muted", attrs: { "data-testid": "lb-count" } }, "loading…");
  const errorText = el("span", { class: "error-text" });
  const toolbar = el("div", { class: "toolbar" }, stateSel, flagSel, filterInput, countText, errorText);

  // table
  const headerCells = cols.map((c) =>
    el(
      "div",
      {
        class: `cell th ${c.cls ?? ""} ${c.sort ? "sortable" : ""}`,
        style: { width: `${c.width}px` },
        title: c.label,
        attrs: c.sort ? { "data-sort": c.sort, role: "columnheader" } : { role: "columnheader" },
        on: c.sort ? { click: () => setSort(c.sort as string) } : {},
      },
      el("span", { class: "th-label" }, c.label),
      el("span", { class: "sort-ind" }),
    ),
  );
  const header = el("div", { class: "lb-head", style: { width: `${totalWidth}px` } }, ...headerCells);
  const spacer = el("div", { class: "lb-spacer", style: { width: `${totalWidth}px` } });
  const body = el(
    "div",
    { class: "lb-scroll", style: { height: `${maxHeight}px` }, attrs: { "data-testid": "leaderboard", role: "table" } },
    header,
    spacer,
  );
  const pool: HTMLElement[] = [];
  /** What each pooled row element shows (kept in JS: attribute writes would restyle the row). */
  const state = new WeakMap<HTMLElement, { slot: number; key: string }>();
  const root = el("div", { class: "leaderboard" }, toolbar, body);

  function updateHeader(): void {
    headerCells.forEach((h, i) => {
      const c = cols[i] as Column;
      const on = c.sort === q.sort;
      h.classList.toggle("sorted", on);
      const ind = h.querySelector(".sort-ind") as HTMLElement;
      ind.textContent = on ? (q.dir === "desc" ? " ▼" : " ▲") : "";
      h.setAttribute("aria-sort", on ? (q.dir === "desc" ? "descending" : "ascending") : "none");
    });
  }

  function rowFor(i: number): TrialRow | undefined {
    const p = Math.floor(i / PAGE);
    const page = cache.get(p) ?? stale.get(p);
    return page?.[i - p * PAGE];
  }

  function render(): void {
    raf = 0;
    if (destroyed) return;
    // reads first, then writes: no forced layout in the middle of a frame
    const headH = header.offsetHeight;
    const top = Math.max(0, body.scrollTop - headH);
    const viewH = body.clientHeight;
    const first = Math.max(0, Math.floor(top / ROW_H) - OVERSCAN);
    const last = Math.min(total - 1, Math.ceil((top + viewH) / ROW_H) + OVERSCAN);
    if (total !== shownTotal) {
      shownTotal = total;
      spacer.style.height = `${total * ROW_H}px`;
      // a short leaderboard takes only the room it needs
      body.style.height = `${Math.min(maxHeight, headH + Math.max(total, 3) * ROW_H + 2)}px`;
    }
    const need = Math.max(0, last - first + 1);
    if (pool.length < need) {
      // A fixed pool where row i always lives in element i % size: while scrolling, a row that
      // stays in view keeps its element and only the rows coming into view are rendered.
      while (pool.length < need + 8) {
        const rowEl = el("div", { class: "lb-row", attrs: { role: "row" }, style: { width: `${totalWidth}px` } });
        rowEl.addEventListener("click", () => {
          const id = rowEl.dataset.trial;
          if (id) o.onOpen(id);
        });
        for (const c of cols)
          rowEl.appendChild(el("div", { class: `cell ${c.cls ?? ""}`, style: { width: `${c.width}px` } }));
        spacer.appendChild(rowEl);
        pool.push(rowEl);
      }
      for (const r of pool) state.set(r, { slot: -1, key: "" });
    }
    const size = pool.length;
    const used = new Uint8Array(size);
    for (let i = first; i <= last; i++) {
      const slot = i % size;
      used[slot] = 1;
      const rowEl = pool[slot] as HTMLElement;
      const st = state.get(rowEl) ?? { slot: -1, key: "" };
      state.set(rowEl, st);
      if (st.slot !== i) {
        st.slot = i;
        rowEl.style.transform = `translateY(${i * ROW_H}px)`;
      }
      if (rowEl.style.display) rowEl.style.display = "";
      const r = rowFor(i);
      const key = r ? `${r.id}|${r.state}|${r.mean}|${r.flags.length}|${r.durationMs}` : `…${i}`;
      if (st.key === key) continue;
      st.key = key;
      if (rowEl.dataset.trial !== (r?.id ?? "")) rowEl.dataset.trial = r?.id ?? "";
      if (rowEl.classList.contains("loading") === !!r) rowEl.classList.toggle("loading", !r);
      const cells = rowEl.children;
      for (let ci = 0; ci < cols.length; ci++) {
        const cell = cells[ci] as HTMLElement;
        const v = r ? (cols[ci] as Column).render(r) : ci === 0 ? "…" : "";
        if (typeof v === "string" || typeof v === "number") cell.textContent = String(v);
        else replace(cell, v);
      }
    }
    for (let j = 0; j < size; j++) {
      const rowEl = pool[j] as HTMLElement;
      if (!used[j] && rowEl.style.display !== "none") rowEl.style.display = "none";
    }
    scheduleFetch(first, last);
  }

  function schedule(): void {
    if (!raf) raf = requestAnimationFrame(render);
  }

  function scheduleFetch(first: number, last: number): void {
    const pages: number[] = [];
    const hi = Math.max(first, last);
    for (let p = Math.floor(first / PAGE); p <= Math.floor(hi / PAGE); p++) if (!cache.has(p)) pages.push(p);
    if (total === 0 && !cache.has(0)) pages.push(0);
    if (pages.length === 0) return;
    clearTimeout(fetchTimer);
    // Fetch at once for a small move; while the user flings through 100k rows, wait until it settles.
    const delay = pages.length <= 2 ? 0 : 80;
    fetchTimer = setTimeout(() => {
      for (const p of pages) void fetchPage(p);
    }, delay);
  }

  async function fetchPage(p: number, given?: Promise<LeaderboardPage>): Promise<void> {
    const myGen = gen;
    const key = `${myGen}:${p}`;
    if (inflight.has(key) || cache.has(p) || refused.has(key)) return;
    inflight.add(key);
    try {
      const page = await (given ?? getLeaderboard(o.sweepId, q, p * PAGE, PAGE));
      if (myGen !== gen || destroyed) return;
      cache.set(p, page.items);
      if (!firstShown) {
        firstShown = true;
        // after the rows are painted
        requestAnimationFrame(() => setTimeout(() => o.onFirstPage?.(), 0));
      }
      total = page.total;
      unfiltered = page.unfiltered;
      errorText.textContent = "";
      const counted =
        total === unfiltered ? `${fmtInt(total)} trials` : `${fmtInt(total)} of ${fmtInt(unfiltered)} trials`;
      if (page.loading) {
        // a big sweep the server is still loading: these rows are the order among the trials
        // loaded so far; ask again shortly (rows stay on screen) until the answer is complete
        countText.textContent = `${counted} · server loading ${fmtInt(page.loading.loaded)} of ${fmtInt(page.loading.of)}…`;
        root.dataset.loading = "true";
        if (!partialTimer)
          partialTimer = setTimeout(() => {
            partialTimer = undefined;
            if (!destroyed) reload(true);
          }, PARTIAL_RETRY_MS);
      } else {
        countText.textContent = counted;
        delete root.dataset.loading;
      }
      schedule();
    } catch (e) {
      // A query the server refuses (4xx: a bad filter) is not asked again on every scroll or
      // resize of this generation; other failures (network, 5xx) are retried by the next schedule.
      if (e instanceof ApiError && e.status >= 400 && e.status < 500) refused.add(key);
      if (myGen === gen) errorText.textContent = e instanceof Error ? e.message : String(e);
    } finally {
      inflight.delete(key);
    }
  }

  function reload(keepRows: boolean): void {
    gen++;
    refused.clear();
    stale = keepRows ? new Map([...stale, ...cache]) : new Map();
    cache = new Map();
    if (!keepRows) {
      body.scrollTop = 0;
      for (const r of pool) {
        const st = state.get(r);
        if (st) st.key = "";
      }
    }
    updateHeader();
    schedule();
    void fetchPage(Math.floor(Math.max(0, body.scrollTop - header.offsetHeight) / ROW_H / PAGE));
  }

  function setSort(sort: string): void {
    const dir: SortDir = q.sort === sort ? (q.dir === "desc" ? "asc" : "desc") : sort === "score" ? "desc" : "asc";
    q = { ...q, sort, dir };
    reload(false);
  }

  let filterTimer: ReturnType<typeof setTimeout> | undefined;
  const applyFilters = () => {
    const next: LeaderboardQuery = {
      ...q,
      states: stateSel.value ? [stateSel.value as TrialState] : [],
      flag: flagSel.value || undefined,
      filter: filterInput.value.trim() || undefined,
    };
    // Enter after the typing pause already applied the same filters: nothing to ask again
    if (next.states.join() === q.states.join() && next.flag === q.flag && next.filter === q.filter) return;
    q = next;
    reload(false);
  };
  stateSel.addEventListener("change", applyFilters);
  flagSel.addEventListener("change", applyFilters);
  filterInput.addEventListener("input", () => {
    clearTimeout(filterTimer);
    filterTimer = setTimeout(applyFilters, 300);
  });
  filterInput.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      clearTimeout(filterTimer);
      applyFilters();
    }
  });
  body.addEventListener("scroll", schedule, { passive: true });
  const ro = new ResizeObserver(schedule);
  ro.observe(body);

  updateHeader();
  void fetchPage(0, o.initial);

  return {
    el: root,
    refresh: () => {
      stale = new Map();
      reload(true);
    },
    destroy() {
      destroyed = true;
      ro.disconnect();
      clearTimeout(fetchTimer);
      clearTimeout(filterTimer);
      clearTimeout(partialTimer);
      if (raf) cancelAnimationFrame(raf);
    },
  };
}
