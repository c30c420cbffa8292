/** Sweep actions that need the API token (cancel, resume, add trials, export); errors shown as text beside them. */
import { ApiError } from "../api/client.ts";
import { downloadFilesOf, exportModel } from "../api/export-model.ts";
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
  const exportButton = el(
    "button",
    {
      class: "button",
      attrs: {
        "data-testid": "export-model",
        "aria-label": "Export the best trial as a TensorFlow.js model",
      },
    },
    "Export model",
  );
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
  exportButton.addEventListener("click", () => {
    exportButton.textContent = "Refitting…";
    void run(exportButton, async () => {
      try {
        saveFiles(downloadFilesOf(await exportModel(sweep.id)));
      } finally {
        exportButton.textContent = "Export model";
      }
      return sweep;
    });
  });
  const root = el("div", { class: "actions" }, cancel, resume, more, extend, exportButton, msg);
  const sync = () => {
    cancel.hidden = sweep.status !== "running";
    resume.hidden = sweep.status !== "cancelled";
    extend.hidden = more.hidden = sweep.status === "failed";
    exportButton.hidden = sweep.status !== "completed" || !sweep.best;
    const hint = getToken() ? "" : "Asks for a token allowed to submit if the coordinator requires one";
    for (const b of [cancel, resume, extend]) b.title = hint;
    exportButton.title = sweep.spec.program
      ? `Runs the program once more for ${sweep.best?.trialId ?? "the best trial"} on every row (HPO_REFIT=1) and downloads what it wrote to its HPO_OUTPUT_DIR, with model-card.json (as hpo export). ${hint}`
      : `Refits ${sweep.best?.trialId ?? "the best trial"} on every row outside the test split and downloads model.json, weights.bin, preprocessing.json and model-card.json (as hpo export). ${hint}`;
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

/** Saves each file through a temporary download link (the browser's download folder). */
function saveFiles(files: readonly { name: string; type: string; bytes: Uint8Array }[]): void {
  for (const f of files) {
    const url = URL.createObjectURL(new Blob([f.bytes as Uint8Array<ArrayBuffer>], { type: f.type }));
    const a = el("a", { attrs: { href: url, download: f.name } });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}
