import { describe, expect, it } from "vitest";
import type { Issue } from "./errors.ts";
import { flattenParameters, nestParams } from "./nested-params.ts";
import { RandomSampler, samplerRng } from "./samplers/index.ts";
import { parseSweepSpec } from "./spec.ts";
import { testSpec } from "./testing/test-spec.ts";
import type { ParameterSpec } from "./types.ts";

describe("W&B's nested parameters", () => {
  it("flattens groups into dotted names with their key paths, in order", () => {
    const issues: Issue[] = [];
    const flat = flattenParameters(
      {
        epochs: { value: 3 },
        optimizer: {
          parameters: { lr: { min: 0.001, max: 0.1 }, kind: { parameters: { name: { values: ["adam"] } } } },
        },
      },
      issues,
    );
    expect(issues).toEqual([]);
    expect(flat).toEqual([
      { name: "epochs", entry: { value: 3 } },
      { name: "optimizer.lr", entry: { min: 0.001, max: 0.1 }, path: ["optimizer", "lr"] },
      { name: "optimizer.kind.name", entry: { values: ["adam"] }, path: ["optimizer", "kind", "name"] },
    ]);
  });

  it("refuses a group with other keys, an empty group and a name given twice, at the path written", () => {
    const issues: Issue[] = [];
    flattenParameters(
      {
        a: { parameters: { b: { value: 1 } }, values: [1] },
        c: { parameters: {} },
        "d.e": { value: 1 },
        d: { parameters: { e: { value: 2 } } },
      },
      issues,
    );
    expect(issues.map((i) => `${i.path} ${i.message}`)).toEqual([
      "parameters.a.values is not allowed beside parameters (a group holds only parameters)",
      "parameters.c.parameters must be a non-empty mapping of parameters",
      "parameters.d.parameters.e is given twice (as d.e)",
    ]);
  });

  it("nests a trial's params back for the program, by path, leaving other dotted names alone", () => {
    const parameters: Record<string, ParameterSpec> = {
      "opt.lr": { distribution: { kind: "uniform", min: 0, max: 1 }, path: ["opt", "lr"] },
      "opt.kind.name": { distribution: { kind: "categorical", values: ["adam"] }, path: ["opt", "kind", "name"] },
      "plain.dotted": { distribution: { kind: "constant", value: 1 } },
      epochs: { distribution: { kind: "constant", value: 3 } },
    };
    expect(nestParams(parameters, { "opt.lr": 0.5, "opt.kind.name": "adam", "plain.dotted": 1, epochs: 3 })).toEqual({
      opt: { lr: 0.5, kind: { name: "adam" } },
      "plain.dotted": 1,
      epochs: 3,
    });
  });

  it("samples grouped parameters like any other, under their dotted names", () => {
    const spec = testSpec({
      parameters: {
        "opt.lr": { distribution: { kind: "log_uniform_values", min: 1e-4, max: 0.1 }, path: ["opt", "lr"] },
        "opt.momentum": { distribution: { kind: "beta", a: 2, b: 2 }, path: ["opt", "momentum"] },
      },
    });
    const p = new RandomSampler().sample({ spec, index: 0, rng: samplerRng(spec, 0), trials: [] });
    expect(Object.keys(p)).toEqual(["opt.lr", "opt.momentum"]);
    expect(Object.keys(nestParams(spec.parameters, p))).toEqual(["opt"]);
  });

  it("parses a program's groups into dotted parameters with their paths", () => {
    const spec = parseSweepSpec({
      program: "train.py",
      metric: { name: "loss", goal: "minimize" },
      method: "grid",
      parameters: {
        batch_size: { values: [32, 64] },
        optimizer: {
          parameters: { lr: { values: [0.001, 0.0001] }, nadam: { parameters: { beta: { values: [0.9] } } } },
        },
      },
    });
    expect(Object.keys(spec.parameters)).toEqual(["batch_size", "optimizer.lr", "optimizer.nadam.beta"]);
    expect(spec.parameters["optimizer.nadam.beta"]?.path).toEqual(["optimizer", "nadam", "beta"]);
    expect(nestParams(spec.parameters, { batch_size: 32, "optimizer.lr": 0.001, "optimizer.nadam.beta": 0.9 })).toEqual(
      {
        batch_size: 32,
        optimizer: { lr: 0.001, nadam: { beta: 0.9 } },
      },
    );
    expect(() =>
      parseSweepSpec({
        program: "train.py",
        metric: { name: "loss" },
        parameters: { optimizer: { parameters: { lr: { min: 1, max: 0.1 } } } },
      }),
    ).toThrow(/parameters\.optimizer\.parameters\.lr\.min must be < max/);
    expect(() =>
      parseSweepSpec({
        program: "train.py",
        method: "grid",
        metric: { name: "loss" },
        parameters: { optimizer: { parameters: { lr: { min: 0.1, max: 1 } } } },
      }),
    ).toThrow(/parameters\.optimizer\.parameters\.lr\.distribution method grid needs values/);
  });

  it("names a grouped parameter by the keys written when the built-in trainer does not read it", () => {
    expect(() =>
      parseSweepSpec({ dataset: "iris", parameters: { opt: { parameters: { learning_rate: { value: 0.1 } } } } }),
    ).toThrow(/parameters\.opt\.parameters\.learning_rate is not a parameter of the built-in trainer/);
  });
});
