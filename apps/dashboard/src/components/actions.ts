/** Sweep actions that need the API token (cancel, resume, add trials); errors shown as text beside them. */
import { ApiError } from "../api/client.ts";
import { cancelSweep, extendSweep, resumeSweep } from "../api/sweeps.ts";
import { getToken, onTokenChange } from "../api/token.ts";
import type { SweepSummary } from "../api/types.ts";
import { el } from "../dom.ts";

export interface SweepActions {
  readonly el: HTMLElement;
  update(s: SweepSummary): void;
  destroy(): void;
}

export function sweepActions(initial: SweepSummary, onChanged: (s: SweepSummary) => void): SweepActions {
  let sweep = initial;
  const msg = el("span", { class: "error-text", attrs: { "data-testid": "action-error" } });
  const cancel = el("button", { class: "button danger", attrs: { "data-testid": "cancel-sweep" } }, "Cancel sweep");
  const resume = el("button", { class: "button", attrs: { "data-testid": "resume-sweep" } }, "Resume");
  const more = el("input", {
    class: "num-input",
    attrs: {
      type: "number",
      min: "1",
      max: "100000",
      value: "10",
      "aria-label": "trials to add",
      "data-testid": "extend-trials",
    },
  });
  const extend = el("button", { class: "button", attrs: { "data-testid": "extend-sweep" } }, "Add trials");
  const run = async (button: HTMLButtonElement, action: () => Promise<SweepSummary>) => {
    button.disabled = true;
    msg.textContent = "";
    try {
      onChanged(await action());
    } catch (e) {
      msg.textContent = e instanceof ApiError ? `${e.code}: ${e.message}` : String(e);
    } finally {
      button.disabled = false;
    }
  };
  cancel.addEventListener("click", () => {
    if (!confirm(`Cancel sweep "${sweep.name}"? Queued trials are dropped and running ones stopped.`)) return;
    void run(cancel, () => cancelSweep(sweep.id));
  });
  resume.addEventListener("click", () => void run(resume, () => resumeSweep(sweep.id)));
  extend.addEventListener("click", () => void run(extend, () => extendSweep(sweep.id, Number(more.value))));
  const root = el("div", { class: "actions" }, cancel, resume, more, extend, msg);
  const sync = () => {
    cancel.hidden = sweep.status !== "running";
    resume.hidden = sweep.status !== "cancelled";
    extend.hidden = more.hidden = sweep.status === "failed";
    const hint = getToken() ? "" : "Asks for a token allowed to submit if the coordinator requires one";
    for (const b of [cancel, resume, extend]) b.title = hint;
  };
  const off = onTokenChange(sync);
  sync();
  return {
    el: root,
    update(s) {
      sweep = s;
      sync();
    },
    destroy: () => {
      off();
    },
  };
}
