import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gridSize, parseSweepSpec } from "@hpo/core";
import { describe, expect, it } from "vitest";
import { ROOT } from "./run-cli.ts";

const EXAMPLES = join(ROOT, "examples");

describe("sweep files shipped with the project", () => {
  it.each(readdirSync(EXAMPLES).filter((f) => f.endsWith(".yaml")))("examples/%s is a valid sweep", (file) => {
    expect(() => parseSweepSpec(readFileSync(join(EXAMPLES, file), "utf8"))).not.toThrow();
  });

  it("the demo is what README command 1 promises: digits, 5-fold stratified, >= 8 trials over 4 parameters", () => {
    const spec = parseSweepSpec(readFileSync(join(EXAMPLES, "demo.yaml"), "utf8"));
    expect(spec.dataset.name).toBe("digits");
    expect(spec.cv).toMatchObject({ folds: 5, stratified: true });
    expect(Object.keys(spec.parameters).sort()).toEqual(["batch_size", "dropout", "learning_rate", "optimizer"]);
    expect(Math.min(gridSize(spec), spec.budget.max_trials)).toBeGreaterThanOrEqual(8);
  });

  it("the sweep file shown in the README is valid", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const block = /## Sweep files\s+```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    expect(() => parseSweepSpec(block as string)).not.toThrow();
  });
});
