/**
 * Issue 22, row 3: a grid's size is known without enumerating it, `when` lists are sets with a
 * cap on their total, so a hostile spec is refused at once with the reason (it used to take 20-30 s
 * of the event loop to answer "more than 100,000").
 */
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { HpoError } from "./errors.ts";
import { gridSpace } from "./samplers/grid-space.ts";
import { parseSweepSpec } from "./spec.ts";
import { LIMITS } from "./spec-schema.ts";

const CONTROLLERS = ["learning_rate", "weight_decay", "clip_norm", "clip_value"];
/** Conditional parameters and a valid constant of each. */
const CONDITIONAL: Record<string, string> = {
  batch_size: "32",
  optimizer: "adam",
  momentum: "0.5",
  nesterov: "true",
  epsilon: "1e-8",
  rho: "0.9",
  dropout: "0.5",
  activation: "relu",
  batch_norm: "true",
  residual: "false",
  leaky_alpha: "0.1",
  early_stopping_min_delta: "0.001",
};
const thousand = Array.from({ length: 1000 }, (_, i) => i + 1);

/**
 * Parameters that each depend on the one before: `names[0]` takes `values`; each next one takes
 * `values` when the one before takes any of them; then momentum 0.5 when the last one is 1.
 */
function chain(names: readonly string[], values: readonly number[]): Record<string, unknown> {
  const parameters: Record<string, unknown> = {};
  names.forEach((name, i) => {
    const parent = names[i - 1];
    parameters[name] = parent === undefined ? { values } : { values, when: { [parent]: values } };
  });
  parameters.momentum = { value: 0.5, when: { [names[names.length - 1] as string]: [1] } };
  return parameters;
}

const messageOf = (input: unknown, format?: "yaml" | "json"): string => {
  try {
    parseSweepSpec(input, format ? { format } : {});
  } catch (e) {
    expect(e).toBeInstanceOf(HpoError);
    return (e as HpoError).message;
  }
  throw new Error("the spec was accepted");
};

describe("grid limits (issue 22 row 3)", () => {
  it("refuses the reported spec (4 controllers × 1,000 values, 1,000-entry when lists through anchors) naming the cap", () => {
    const yaml = [
      "name: hostile",
      "method: grid",
      "dataset: iris",
      "parameters:",
      `  ${CONTROLLERS[0]}: { values: &all [${thousand.join(", ")}] }`,
      ...CONTROLLERS.slice(1).map((c) => `  ${c}: { values: *all }`),
      ...Object.entries(CONDITIONAL).map(
        ([p, v], i) => `  ${p}: { value: ${v}, when: { ${CONTROLLERS[i % 4]}: *all } }`,
      ),
    ].join("\n");
    const message = messageOf(yaml, "yaml");
    expect(message).toContain(
      `parameters the when lists hold ${(Object.keys(CONDITIONAL).length * 1000).toLocaleString("en-US")} distinct values in all; the limit is ${LIMITS.conditionValues.toLocaleString("en-US")}`,
    );
    // the same as JSON
    const spec = parse(yaml, { maxAliasCount: 100 });
    expect(messageOf(JSON.stringify(spec), "json")).toContain("distinct values in all");
  });

  it("counts a grid arithmetically: the exact size of an unconditional grid, a lower bound otherwise", () => {
    const params = Object.fromEntries(CONTROLLERS.map((c) => [c, { values: thousand }]));
    expect(messageOf({ name: "big", method: "grid", dataset: "iris", parameters: params })).toContain(
      "grid would make 1,000,000,000,000 trials; the limit is 100000",
    );
    const conditional = { ...params, momentum: { values: [0.5, 0.9], when: { learning_rate: [1, 2] } } };
    expect(messageOf({ name: "big", method: "grid", dataset: "iris", parameters: conditional })).toContain(
      "grid would make at least 1,000,000,000,000 trials",
    );
  });

  it("stops counting branches as soon as the size passes the limit", () => {
    // 100 × 100 controller values (the second one conditional), 10 trials per branch
    const hundred = thousand.slice(0, 100);
    const parameters = parseSweepSpec({
      name: "branches",
      method: "random",
      dataset: "iris",
      parameters: {
        ...chain(["learning_rate", "weight_decay"], hundred),
        dropout: { values: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9] },
      },
    }).parameters;
    const space = gridSpace(parameters, 5_000);
    expect(space.truncated).toBe(true);
    expect(space.size).toBe(5_010); // 501 branches walked, not 5,001
    expect(gridSpace(parameters).size).toBe(100_000);
  });

  it("refuses a grid whose controlling parameters take more combinations than it walks, naming them", () => {
    const message = messageOf({
      name: "chain",
      method: "grid",
      dataset: "iris",
      parameters: chain(["learning_rate", "weight_decay", "clip_norm"], thousand),
    });
    expect(message).toContain(
      `grid: the parameters that others depend on (learning_rate, weight_decay, clip_norm) make more than ${LIMITS.gridBranches.toLocaleString("en-US")} combinations`,
    );
  });

  it("keeps each when list as a set: repeated values are dropped", () => {
    const spec = parseSweepSpec({
      name: "dupes",
      dataset: "iris",
      parameters: {
        optimizer: { values: ["adam", "momentum"] },
        momentum: { values: [0.9], when: { optimizer: ["momentum", "momentum", "momentum"] } },
      },
    });
    expect(spec.parameters.momentum?.when).toEqual({ optimizer: ["momentum"] });
  });
});
