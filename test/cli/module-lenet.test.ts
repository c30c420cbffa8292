import { cpSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/processes.ts";
import { runExample, upForExamples } from "./example-sweep.ts";

/**
 * examples/module-lenet.yaml (a model module in build(ctx) form: examples/models/lenet.ts) through
 * `hpo up` + `hpo submit --watch` as the example says to run it: the models/ folder beside the
 * sweep file, `hpo up` allowing the folder it runs in as HPO_MODEL_DIRS. Small sizes: 2 trials,
 * 2 folds, 2 epochs, on the workers' default backend (wasm, with hpo's convolution gradients).
 */
describe("examples/module-lenet.yaml end to end", () => {
  const up = upForExamples("module-lenet", ["--workers", "1"]);

  it("trains the module's CNN with the sweep's params and reports gradient norms by its layer names", async () => {
    cpSync(join(REPO_ROOT, "examples/models"), join(up().dir, "models"), { recursive: true });
    const { sweepId, trials } = await runExample(up(), "module-lenet.yaml", (spec) => {
      spec.cv.folds = 2;
      spec.budget = { max_trials: 2, max_parallel: 1, max_epochs: 2 };
    });
    expect(trials).toHaveLength(2);
    for (const t of trials) {
      expect(t.state, `${t.id}: ${t.error ?? ""}`).toBe("completed");
      expect([4, 8]).toContain(t.params.filters);
      const fold = (await up().store.getTrial(sweepId, t.id))?.curve[0]?.folds[0] as Record<string, number>;
      // by the names lenet.ts gives its layers
      for (const k of ["grad_norm/conv1", "grad_norm/conv2", "grad_norm/fc", "grad_norm/out"])
        expect(fold[k], `${k} in ${Object.keys(fold).join(" ")}`).toBeGreaterThan(0);
    }
    // 10 classes: chance is 0.1; the CNN is well above it after 2 epochs on ~900 rows
    expect(Math.max(...trials.map((t) => t.mean ?? 0))).toBeGreaterThan(0.3);
  }, 900_000);
});
