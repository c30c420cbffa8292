import { describe, expect, it } from "vitest";
import { HpoError } from "./errors.ts";
import { parseSweepSpec } from "./spec.ts";
import { checkSweepMemory } from "./sweep-memory.ts";

const issuesOf = (input: unknown) => {
  try {
    parseSweepSpec(input);
  } catch (e) {
    if (e instanceof HpoError)
      return (e.details as { path: string; message: string }[]).map((i) => `${i.path}: ${i.message}`);
    throw e;
  }
  return [];
};

describe("model-module sweeps (model.module)", () => {
  const base = { name: "mod", dataset: "digits", model: { module: "models/lenet.ts" } };

  it("keeps the module path, takes parameters of the module's own and a free metric name", () => {
    const spec = parseSweepSpec({
      ...base,
      metric: { name: "val_top2", goal: "maximize" },
      parameters: {
        learning_rate: { distribution: "log_uniform_values", min: 1e-4, max: 1e-2 },
        conv_filters: { values: [8, 16] },
        cell: { values: ["lstm", "gru"] },
        width: { min: 4, max: 64 },
        scale: { min: 0.5, max: 2 },
      },
      budget: { max_trial_seconds: 600 },
    });
    expect(spec.model.module).toBe("models/lenet.ts");
    expect(spec.metric).toEqual({ name: "val_top2", goal: "maximize" });
    expect(spec.parameters.width?.distribution).toEqual({ kind: "int_uniform", min: 4, max: 64 });
    expect(spec.parameters.scale?.distribution).toEqual({ kind: "uniform", min: 0.5, max: 2 });
    expect(spec.budget.max_trial_seconds).toBe(600);
    // the memory estimate models the built-in MLP: a module sweep is not refused by it
    expect(() => checkSweepMemory(spec, 1, "HPO_TRIAL_MEMORY_MB")).not.toThrow();
  });

  it("still checks the known parameters' ranges", () => {
    expect(issuesOf({ ...base, parameters: { learning_rate: { value: -1 } } })).toEqual([
      "parameters.learning_rate.value: must be a number in (0, ∞), got -1",
    ]);
  });

  it("refuses MLP fields beside a module, a non-script file, bad names, and max_trial_seconds without a module", () => {
    expect(issuesOf({ ...base, model: { module: "m.py", hidden: [8], activation: "relu" } })).toEqual([
      "model.hidden: describes the built-in trainer's model; it cannot be set beside model.module",
      "model.activation: describes the built-in trainer's model; it cannot be set beside model.module",
      'model.module: must name a TypeScript or JavaScript file (.ts, .mts, .js, .mjs), got "m.py"',
    ]);
    expect(issuesOf({ ...base, parameters: { "a-b": { value: 1 } } })).toEqual([
      "parameters.a-b: is not a valid parameter name: it must start with a letter or '_' and hold only letters, digits and '_' (at most 64)",
    ]);
    // the winner's refit runs the module: a test split is fine
    expect(issuesOf({ ...base, cv: { test_fraction: 0.2 } })).toEqual([]);
    expect(issuesOf({ name: "x", dataset: "iris", budget: { max_trial_seconds: 5 } })).toEqual([
      "budget.max_trial_seconds: applies to program and model-module sweeps only (program: … or model: { module: … })",
    ]);
    expect(issuesOf({ name: "x", dataset: "iris", parameters: { conv_filters: { value: 8 } } })[0]).toMatch(
      /^parameters\.conv_filters: is not a parameter of the built-in trainer/,
    );
  });
});
