/** Sweep actions that need the API token (cancel). Errors are shown as text next to the button. */
import { ApiError } from "../api/client.ts";
import { cancelSweep } from "../api/sweeps.ts";
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
  cancel.addEventListener("click", async () => {
    if (!confirm(`Cancel sweep "${sweep.name}"? Queued trials are dropped and running ones stopped.`)) return;
    cancel.disabled = true;
    msg.textContent = "";
    try {
      onChanged(await cancelSweep(sweep.id));
    } catch (e) {
      msg.textContent = e instanceof ApiError ? `${e.code}: ${e.message}` : String(e);
      cancel.disabled = false;
    }
  });
  const root = el("div", { class: "actions" }, cancel, msg);
  const sync = () => {
    cancel.hidden = sweep.status !== "running";
    cancel.title = getToken() ? "" : "Set the API token (top right) if the coordinator requires one";
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
