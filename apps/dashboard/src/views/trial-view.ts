/** Trial: K-fold summary, learning curves, gradient norms, config, folds, worker and error log. */
import { subscribe } from "../api/events.ts";
import { getSweep } from "../api/sweeps.ts";
import { getTrialLog, type TrialLogLine } from "../api/trial-log.ts";
import { getTrial } from "../api/trials.ts";
import type { SweepSummary, TrialDetail } from "../api/types.ts";
import { flagChip, stateBadge } from "../components/badges.ts";
import { el, replace } from "../dom.ts";
import { fmtDuration, fmtInterval, fmtMeanStd, fmtParam, fmtPValue, fmtScore, fmtSpread, fmtTime } from "../format.ts";
import { createChart } from "../plots/chart.ts";
import { curvesOption } from "../plots/curves/curves-plot.ts";
import { gradKeys, gradNormOption } from "../plots/grad-norms/grad-norm-plot.ts";
import { valMetricKeys, valMetricsOption } from "../plots/val-metrics/val-metrics-plot.ts";
import { href, type View } from "./view.ts";

/** One log line: time, level, worker, message and its fields as `key=value` (text only, never HTML). */
function logLine(l: TrialLogLine): HTMLElement {
  const fields = Object.entries(l.fields ?? {})
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(" ");
  return el(
    "div",
    { class: `log-line log-${l.level}`, attrs: { "data-testid": "trial-log-line" } },
    `${fmtTime(l.time)} ${l.level.toUpperCase().padEnd(5)} ${l.worker}  ${l.message}${fields ? ` ${fields}` : ""}`,
  );
}

function kv(rows: readonly (readonly [string, string | HTMLElement])[]): HTMLElement {
  return el("dl", { class: "facts" }, ...rows.flatMap(([k, v]) => [el("dt", null, k), el("dd", null, v)]));
}

export function trialView(sweepId: string, trialId: string): View {
  const head = el("div");
  const curves = createChart(340);
  const grads = createChart(280);
  const valMetrics = createChart(280);
  const valNote = el("p", { class: "muted small note" });
  const curveNote = el("p", { class: "muted small note" });
  const gradNote = el("p", { class: "muted small note" });
  const config = el("div");
  const folds = el("div");
  const info = el("div");
  const log = el("div", { class: "log", attrs: { "data-testid": "trial-log" } });
  const root = el(
    "section",
    { class: "page", attrs: { "data-testid": "trial-view" } },
    head,
    el(
      "div",
      { class: "plots" },
      el(
        "div",
        { class: "card plot wide" },
        el("div", { class: "card-head" }, el("h2", null, "Learning curves (folds thin, K-fold mean bold)")),
        curveNote,
        curves.el,
      ),
      el(
        "div",
        { class: "card plot wide", attrs: { "data-testid": "val-metrics" } },
        el("div", { class: "card-head" }, el("h2", null, "Validation metrics (K-fold mean)")),
        valNote,
        valMetrics.el,
      ),
      el("div", { class: "card plot" }, el("div", { class: "card-head" }, el("h2", null, "Config")), config),
      el("div", { class: "card plot" }, el("div", { class: "card-head" }, el("h2", null, "Run")), info),
      el("div", { class: "card plot wide" }, el("div", { class: "card-head" }, el("h2", null, "Folds")), folds),
      el(
        "div",
        { class: "card plot wide", attrs: { "data-testid": "grad-norms" } },
        el("div", { class: "card-head" }, el("h2", null, "Gradient norms per layer")),
        gradNote,
        grads.el,
      ),
      el("div", { class: "card plot wide" }, el("div", { class: "card-head" }, el("h2", null, "Log")), log),
    ),
  );
  let sweep: SweepSummary | null = null;
  let dead = false;
  let lastState = "";

  function show(t: TrialDetail, s: SweepSummary, lines: readonly TrialLogLine[]): void {
    lastState = t.state;
    replace(
      head,
      el(
        "nav",
        { class: "crumbs" },
        el("a", { attrs: { href: href.sweeps() } }, "Sweeps"),
        " / ",
        el("a", { attrs: { href: href.sweep(s.id) } }, el("bdi", null, s.name)),
        " / ",
        el("span", null, t.id),
      ),
      el(
        "div",
        { class: "page-head" },
        el("h1", { attrs: { "data-testid": "trial-title" } }, `Trial ${t.id}`),
        stateBadge(t.state),
        ...(t.prunedAt !== undefined ? [flagChip(`pruned @ epoch ${t.prunedAt}`)] : []),
        ...t.flags.filter((f) => f !== "pruned").map(flagChip),
      ),
      el(
        "div",
        { class: "stat-row" },
        stat(`${s.metricName} K-fold mean ± std`, fmtMeanStd(t.mean, t.std)),
        stat("standard error", fmtSpread(t.sem)),
        stat("95% CI (corrected)", fmtInterval(t.ciLow, t.ciHigh)),
        stat(
          "tied with the best",
          t.tied === undefined ? "—" : `${t.tied ? "yes ≈" : "no"} (p = ${fmtPValue(t.pBest)})`,
        ),
        stat("folds", t.foldScores.map((v) => fmtScore(v)).join("  ·  ") || "—"),
        stat("duration", fmtDuration(t.durationMs)),
      ),
    );
    const metricName = s.metricName;
    if (t.curve.length > 0) {
      curveNote.textContent = `${t.curve.length} epochs × ${t.curve[0]?.folds.length ?? 0} folds; dashed: train, solid: validation`;
      curves.set(curvesOption(t.curve, metricName));
    } else {
      curveNote.textContent = "no epochs recorded yet";
    }
    const vk = valMetricKeys(t.curve);
    if (vk.scores.length + vk.errors.length > 0) {
      valNote.textContent = "";
      valMetrics.el.hidden = false;
      valMetrics.set(valMetricsOption(t.curve));
    } else {
      valNote.textContent = "no validation metrics recorded yet";
      valMetrics.el.hidden = true;
    }
    if (gradKeys(t.curve).length > 0) {
      gradNote.textContent = "";
      grads.el.hidden = false;
      grads.set(gradNormOption(t.curve));
    } else {
      gradNote.textContent = "the trainer recorded no gradient norms for this trial";
      grads.el.hidden = true;
    }
    replace(config, kv(Object.entries(t.params).map(([k, v]) => [k, fmtParam(v)] as const)));
    replace(
      info,
      kv([
        ["worker", t.worker ?? "—"],
        ["attempts", String(t.attempts ?? "—")],
        ["created", fmtTime(t.createdAt)],
        ["started", fmtTime(t.startedAt)],
        ["finished", fmtTime(t.finishedAt)],
      ]),
    );
    // gradient norms have their own chart; the learning rate is in the config
    const metricKeys = [...new Set(t.folds.flatMap((f) => Object.keys(f.metrics)))]
      .filter((k) => !/^grad|^lr$/.test(k))
      .sort();
    replace(
      folds,
      t.folds.length === 0
        ? el("p", { class: "muted" }, "no fold finished yet")
        : el(
            "table",
            { class: "grid-table compact" },
            el(
              "thead",
              null,
              el("tr", null, ...["fold", "score", "epochs", "duration", ...metricKeys].map((h) => el("th", null, h))),
            ),
            el(
              "tbody",
              null,
              ...t.folds.map((f) =>
                el(
                  "tr",
                  null,
                  el("td", null, String(f.fold + 1)),
                  el("td", { class: "num strong" }, fmtScore(f.score)),
                  el("td", { class: "num" }, String(f.epochs)),
                  el("td", { class: "num" }, fmtDuration(f.durationMs)),
                  ...metricKeys.map((k) => el("td", { class: "num" }, fmtScore(f.metrics[k]))),
                ),
              ),
            ),
          ),
    );
    const summary = t.error
      ? `${t.state}: ${t.error}`
      : `${t.state} on ${t.worker ?? "?"}${t.startedAt ? ` at ${fmtTime(t.startedAt)}` : ""}${
          t.finishedAt ? `, finished ${fmtTime(t.finishedAt)}` : ""
        }; no errors.`;
    replace(
      log,
      el("div", { class: t.error ? "log-line log-error" : "log-line" }, summary),
      ...(lines.length > 0
        ? lines.map(logLine)
        : [el("div", { class: "log-line muted" }, "(no worker log lines yet)")]),
    );
  }

  function stat(label: string, value: string): HTMLElement {
    return el("div", { class: "stat" }, el("div", { class: "muted small" }, label), el("div", { class: "big" }, value));
  }

  async function load(): Promise<void> {
    try {
      const [t, s, lines] = await Promise.all([
        getTrial(sweepId, trialId),
        sweep ? Promise.resolve(sweep) : getSweep(sweepId),
        getTrialLog(sweepId, trialId).catch(() => [] as readonly TrialLogLine[]),
      ]);
      if (dead) return;
      sweep = s;
      show(t, s, lines);
    } catch (e) {
      if (!dead)
        replace(
          head,
          el(
            "p",
            { class: "error-text" },
            `Could not load trial ${trialId}: ${e instanceof Error ? e.message : String(e)}`,
          ),
        );
    }
  }
  void load();
  // A running trial's curve grows: reload on this sweep's events, at most every 2 s.
  let last = 0;
  const unsub = subscribe({
    sweep: (s) => {
      if (s.id !== sweepId) return;
      sweep = s;
      const now = Date.now();
      if ((lastState === "running" || lastState === "queued") && now - last > 2000) {
        last = now;
        void load();
      }
    },
  });
  const poll = setInterval(() => {
    if (lastState === "running") void load();
  }, 3000);
  return {
    el: root,
    destroy() {
      dead = true;
      unsub();
      clearInterval(poll);
      curves.dispose();
      grads.dispose();
      valMetrics.dispose();
    },
  };
}
