/** Submit a sweep by pasting YAML; shows the coordinator's validation messages (the CLI's too). */
import { ApiError } from "../api/client.ts";
import { submitSweep } from "../api/sweeps.ts";
import { el, replace } from "../dom.ts";
import { href, navigate, type View } from "./view.ts";

const EXAMPLE = `name: iris-adam
method: random
metric: { name: val_accuracy, goal: maximize }
dataset: { name: iris, task: classification }
cv: { folds: 5, stratified: true, seed: 1 }
budget: { max_trials: 20, max_parallel: 2, max_epochs: 30 }
early_terminate: { type: median }
parameters:
  learning_rate: { distribution: log_uniform_values, min: 0.0001, max: 0.1 }
  batch_size: { values: [16, 32, 64] }
  dropout: { distribution: uniform, min: 0, max: 0.5 }
  optimizer: { values: [adam, sgd, rmsprop] }
`;

export function submitView(): View {
  const area = el("textarea", {
    class: "yaml",
    attrs: { spellcheck: "false", "data-testid": "yaml", rows: "22", "aria-label": "sweep YAML" },
  });
  area.value = EXAMPLE;
  const out = el("div", { class: "issues", attrs: { "data-testid": "submit-result" } });
  const btn = el("button", { class: "button primary", attrs: { "data-testid": "submit" } }, "Submit sweep");
  btn.addEventListener("click", async () => {
    btn.disabled = true;
    replace(out, el("p", { class: "muted" }, "Submitting…"));
    try {
      const s = await submitSweep(area.value);
      navigate(href.sweep(s.id));
    } catch (e) {
      if (e instanceof ApiError) {
        replace(
          out,
          el("p", { class: "error-text" }, `${e.code}: ${e.message}`),
          e.issues.length
            ? el(
                "ul",
                null,
                ...e.issues.map((i) => el("li", null, el("code", null, i.path || "(root)"), " ", i.message)),
              )
            : null,
        );
      } else {
        replace(out, el("p", { class: "error-text" }, String(e)));
      }
    } finally {
      btn.disabled = false;
    }
  });
  const root = el(
    "section",
    { class: "page", attrs: { "data-testid": "submit-view" } },
    el("div", { class: "page-head" }, el("h1", null, "New sweep")),
    el(
      "div",
      { class: "card" },
      el(
        "p",
        { class: "muted small" },
        "Paste a sweep in YAML or JSON (W&B-style keys). Needs the API token when the coordinator has one.",
      ),
      area,
      el("div", { class: "actions" }, btn),
      out,
    ),
  );
  return { el: root, destroy() {} };
}
