/** Fleet: workers, queue depth by state and throughput; polled every few seconds. */
import { getFleet } from "../api/fleet.ts";
import type { Fleet } from "../api/types.ts";
import { gridTable } from "../components/grid-table.ts";
import { el, replace } from "../dom.ts";
import { fmtDuration, fmtInt } from "../format.ts";
import { createChart } from "../plots/chart.ts";
import { queueOption, throughputOption } from "../plots/queue/queue-plot.ts";
import type { View } from "./view.ts";

export function fleetView(): View {
  const stats = el("div", { class: "stat-row" });
  const workers = el("div");
  const queue = createChart(260);
  const throughput = createChart(260);
  const error = el("p", { class: "error-text" });
  const root = el(
    "section",
    { class: "page", attrs: { "data-testid": "fleet-view" } },
    el("div", { class: "page-head" }, el("h1", null, "Fleet")),
    error,
    stats,
    el(
      "div",
      { class: "plots" },
      el(
        "div",
        { class: "card plot wide flush" },
        el("div", { class: "card-head pad" }, el("h2", null, "Workers")),
        workers,
      ),
      el(
        "div",
        { class: "card plot" },
        el("div", { class: "card-head" }, el("h2", null, "Queue depth by state")),
        queue.el,
      ),
      el(
        "div",
        { class: "card plot" },
        el("div", { class: "card-head" }, el("h2", null, "Completed trials per minute")),
        throughput.el,
      ),
    ),
  );

  function show(f: Fleet): void {
    replace(
      stats,
      ...f.throughput.map((t) =>
        el(
          "div",
          { class: "stat" },
          el("div", { class: "muted small" }, t.label),
          el("div", { class: "big" }, `${fmtNum(t.value)} ${t.unit}`),
        ),
      ),
    );
    replace(
      workers,
      f.workers.length === 0
        ? el("p", { class: "muted empty" }, "No workers connected. Start one with `pnpm hpo worker`.")
        : gridTable(
            "workers-table",
            ["worker", "host", "backend", "status", "current trial", "samples/s", "connected for"],
            el(
              "tbody",
              null,
              ...f.workers.map((w) =>
                el(
                  "tr",
                  null,
                  el("td", { class: "mono" }, w.name),
                  el("td", null, w.host ?? "—"),
                  el("td", null, w.backend ?? "—"),
                  el(
                    "td",
                    null,
                    el("span", { class: `badge ${w.busy ? "state-running" : "state-idle"}` }, w.busy ? "busy" : "idle"),
                    w.slots ? el("span", { class: "muted small" }, ` ${w.slots} slot${w.slots > 1 ? "s" : ""}`) : null,
                  ),
                  el("td", { class: "mono" }, w.currentTrial ?? "—"),
                  el("td", { class: "num" }, w.samplesPerSec === undefined ? "—" : fmtNum(w.samplesPerSec)),
                  el("td", { class: "muted" }, w.connectedSec === undefined ? "—" : fmtDuration(w.connectedSec * 1000)),
                ),
              ),
            ),
          ),
    );
    queue.set(queueOption(f));
    throughput.set(throughputOption(f));
  }

  let dead = false;
  const load = () =>
    getFleet()
      .then((f) => {
        if (dead) return;
        error.textContent = "";
        show(f);
      })
      .catch((e: unknown) => {
        if (!dead) error.textContent = `Could not load the fleet: ${e instanceof Error ? e.message : String(e)}`;
      });
  void load();
  const timer = setInterval(load, 3000);
  return {
    el: root,
    destroy() {
      dead = true;
      clearInterval(timer);
      queue.dispose();
      throughput.dispose();
    },
  };
}

function fmtNum(v: number): string {
  return Number.isInteger(v) ? fmtInt(v) : v.toFixed(1);
}
