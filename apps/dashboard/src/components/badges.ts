/** Small status widgets: state badges, flag chips and the stacked progress bar. */
import type { SweepSummary } from "../api/types.ts";
import { el } from "../dom.ts";
import { fmtInt } from "../format.ts";

export function stateBadge(state: string): HTMLElement {
  return el("span", { class: `badge state-${state.replace(/[^a-z_-]/gi, "")}` }, state);
}

export function flagChip(flag: string): HTMLElement {
  return el("span", { class: "chip" }, flag);
}

/** done / running / pruned / failed of total, as a stacked bar plus a text line. */
export function progress(s: SweepSummary): HTMLElement {
  const total = Math.max(s.total, s.proposed, 1);
  const seg = (n: number, cls: string) =>
    el("span", { class: `seg ${cls}`, style: { width: `${(100 * n) / total}%` } });
  return el(
    "div",
    { class: "progress" },
    el(
      "div",
      { class: "bar" },
      seg(s.done, "done"),
      seg(s.pruned, "pruned"),
      seg(s.failed, "failed"),
      seg(s.running, "running"),
    ),
    el(
      "div",
      { class: "progress-text" },
      el("b", { class: "n-done" }, fmtInt(s.done)),
      " done · ",
      el("span", { class: "n-running" }, fmtInt(s.running)),
      " running · ",
      el("span", { class: "n-pruned" }, fmtInt(s.pruned)),
      " pruned · ",
      el("span", { class: "n-failed" }, fmtInt(s.failed)),
      " failed of ",
      el("span", { class: "n-total" }, fmtInt(s.total)),
    ),
  );
}
