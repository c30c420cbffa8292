/** The header of the Sweep view: name, status, spec summary, progress and best score. */
import type { SweepSummary } from "../api/types.ts";
import { progress, stateBadge } from "../components/badges.ts";
import { el, replace } from "../dom.ts";
import { fmtDuration, fmtInterval, fmtMeanStd, fmtScore } from "../format.ts";
import { href } from "./view.ts";

export function sweepHead(s: SweepSummary): HTMLElement[] {
  const spec = s.spec;
  const et = spec?.early_terminate?.type ?? "none";
  const facts: [string, string][] = [
    ["metric", `${s.metricName} (${s.goal})`],
    ["method", spec?.method ?? "—"],
    ["cv", `${s.folds}-fold${spec?.cv?.stratified ? " stratified" : ""}`],
    ["pruner", et],
    [
      "budget",
      `${spec?.budget?.max_trials ?? "?"} trials · ${spec?.budget?.max_parallel ?? "?"} parallel · ${spec?.budget?.max_epochs ?? "?"} epochs`,
    ],
    ["dataset", spec?.dataset?.name ?? spec?.dataset?.path ?? "—"],
    ["duration", fmtDuration(s.durationMs)],
  ];
  return [
    el(
      "nav",
      { class: "crumbs" },
      el("a", { attrs: { href: href.sweeps() } }, "Sweeps"),
      " / ",
      el("span", null, el("bdi", null, s.name)),
    ),
    el(
      "div",
      { class: "page-head" },
      el("h1", { attrs: { "data-testid": "sweep-name" } }, el("bdi", null, s.name)),
      stateBadge(s.status),
    ),
    el(
      "div",
      { class: "head-grid" },
      el("dl", { class: "facts" }, ...facts.flatMap(([k, v]) => [el("dt", null, k), el("dd", null, v)])),
      el(
        "div",
        { class: "head-right" },
        el(
          "div",
          { class: "best", attrs: { "data-testid": "sweep-best" } },
          el("div", { class: "muted small" }, "best K-fold score"),
          el("div", { class: "big" }, s.best ? fmtMeanStd(s.best.mean, s.best.std) : "—"),
          s.best?.ciLow !== undefined
            ? el("div", { class: "muted small" }, `95% CI ${fmtInterval(s.best.ciLow, s.best.ciHigh)}`)
            : null,
          s.best
            ? el("a", { class: "small", attrs: { href: href.trial(s.id, s.best.trialId) } }, `trial ${s.best.trialId}`)
            : null,
        ),
        s.test ? testScore(s) : null,
        el("div", { attrs: { "data-testid": "sweep-progress" } }, progress(s)),
        s.reason ? el("div", { class: "muted small" }, `reason: ${s.reason}`) : null,
      ),
    ),
  ];
}

/** The winner's test-split score beside the K-fold one (selection), or that it is being refit, or why it failed. */
function testScore(s: SweepSummary): HTMLElement {
  const t = s.test as NonNullable<SweepSummary["test"]>;
  const value = t.state === "done" ? fmtScore(t.score ?? Number.NaN) : t.state === "pending" ? "refitting…" : "failed";
  return el(
    "div",
    { class: "best", attrs: { "data-testid": "sweep-test", title: t.error ?? "" } },
    el("div", { class: "muted small" }, `test score (${t.rows ?? "?"} held-out rows)`),
    el("div", { class: "big" }, value),
    el(
      "div",
      { class: "muted small" },
      `${t.trialId} refit on all other rows; the K-fold score above chose it, this one is unbiased`,
    ),
  );
}

export function renderSweepHead(target: HTMLElement, s: SweepSummary): void {
  replace(target, ...sweepHead(s));
}
