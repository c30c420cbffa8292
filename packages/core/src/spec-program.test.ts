// biome-ignore-all lint/suspicious/noTemplateCurlyInString: W&B command macros are literal text
import { describe, expect, it } from "vitest";
import { HpoError, type Issue } from "./errors.ts";
import { DEFAULT_PROGRAM_COMMAND, parseSweepSpec, sweepSubject } from "./spec.ts";

function issues(input: unknown): Issue[] {
  try {
    parseSweepSpec(input);
  } catch (e) {
    expect(e).toBeInstanceOf(HpoError);
    expect((e as HpoError).code).toBe("INVALID_SPEC");
    return (e as HpoError).details as Issue[];
  }
  throw new Error("expected parseSweepSpec to throw");
}

const program = { program: "train.py", metric: { name: "val/acc", goal: "maximize" } } as const;

describe("parseSweepSpec: program sweeps", () => {
  it("takes a W&B-style program sweep without dataset, with free parameter and metric names", () => {
    const spec = parseSweepSpec(`
program: train.py
method: random
metric: { name: val/acc, goal: maximize }
parameters:
  channels_one: { values: [8, 16] }
  hidden_size: { min: 16, max: 128 }
  dropout: { min: 0.1, max: 0.5 }
  env_name: { value: CartPole-v1 }
  optimizer.lr: { distribution: log_uniform_values, min: 0.0001, max: 0.1 }
`);
    expect(spec.program).toBe("train.py");
    expect(spec.command).toEqual(DEFAULT_PROGRAM_COMMAND);
    expect(spec.dataset).toBeUndefined();
    expect(spec.name).toBe("train-random");
    expect(spec.metric).toEqual({ name: "val/acc", goal: "maximize" });
    expect(spec.cv).toEqual({ folds: 5, stratified: false, seed: 0 });
    // W&B's inference: integer bounds → int_uniform, others uniform
    expect(spec.parameters.hidden_size?.distribution).toEqual({ kind: "int_uniform", min: 16, max: 128 });
    expect(spec.parameters.dropout?.distribution).toEqual({ kind: "uniform", min: 0.1, max: 0.5 });
    expect(spec.parameters["optimizer.lr"]?.distribution.kind).toBe("log_uniform_values");
    expect(spec.parameters.env_name?.distribution).toEqual({ kind: "constant", value: "CartPole-v1" });
  });

  it("keeps command, report, one fold and max_trial_seconds; dataset sets the stratified default", () => {
    const spec = parseSweepSpec({
      ...program,
      command: ["${env}", "python3", "${program}", "--config=${args_json_file}", "${args_no_hyphens}"],
      report: "wandb",
      dataset: "iris",
      cv: { folds: 1 },
      budget: { max_trial_seconds: 30 },
    });
    expect(spec.command).toEqual([
      "${env}",
      "python3",
      "${program}",
      "--config=${args_json_file}",
      "${args_no_hyphens}",
    ]);
    expect(spec.report).toBe("wandb");
    expect(spec.cv).toEqual({ folds: 1, stratified: true, seed: 0 });
    expect(spec.budget.max_trial_seconds).toBe(30);
    expect(spec.dataset?.name).toBe("iris");
  });

  it.each<[string, unknown, string, RegExp]>([
    ["no metric", { program: "train.py" }, "metric", /is required with program/],
    [
      "unknown macro",
      { ...program, command: ["${interpreter}", "${prog}"] },
      "command[1]",
      /"\$\{prog\}".*not a macro/,
    ],
    ["empty command item", { ...program, command: ["${program}", " "] }, "command[1]", /is empty/],
    ["command not a list", { ...program, command: "python3 train.py" }, "command", /list/],
    ["unknown report", { ...program, report: "mlflow" }, "report", /"wandb"/],
    ["parameter name with =", { ...program, parameters: { "a=b": { value: 1 } } }, 'parameters["a=b"]', /not a valid/],
    ["parameter name with a space", { ...program, parameters: { "a b": { value: 1 } } }, 'parameters["a b"]', /letter/],
    ["parameter name starting with -", { ...program, parameters: { "-x": { value: 1 } } }, 'parameters["-x"]', /start/],
    ["metric name with a space", { ...program, metric: { name: "val acc" } }, "metric.name", /letter/],
    ["zero folds", { ...program, cv: { folds: 0 } }, "cv.folds", />= 1/],
    ["range min above max", { ...program, parameters: { a: { min: 2, max: 1 } } }, "parameters.a.min", /< max/],
    ["cv.repeats", { ...program, cv: { repeats: 2 } }, "cv.repeats", /built-in trainer, not to program sweeps/],
    ["cv.test_fraction", { ...program, cv: { test_fraction: 0.2 } }, "cv.test_fraction", /not to program sweeps/],
    ["a selection phase", { ...program, select: { top: 2, repeats: 2 } }, "select", /not to program sweeps/],
    ["program not printable", { ...program, program: "a\u0007.py" }, "program", /printable/],
  ])("refuses %s", (_, input, path, message) => {
    const found = issues(input);
    const issue = found.find((i) => i.path === path);
    expect(issue, JSON.stringify(found)).toBeDefined();
    expect(issue?.message).toMatch(message);
  });

  it.each<[string, unknown, string, RegExp]>([
    ["command without program", { dataset: "iris", command: ["${program}"] }, "command", /program sweeps only/],
    ["report without program", { dataset: "iris", report: "wandb" }, "report", /program sweeps only/],
    [
      "max_trial_seconds without program",
      { dataset: "iris", budget: { max_trial_seconds: 5 } },
      "budget.max_trial_seconds",
      /applies to program and model-module sweeps only/,
    ],
    ["no dataset and no program", { name: "t" }, "dataset", /is required \(or name a program/],
    [
      "an unknown parameter name",
      { dataset: "iris", parameters: { env_name: { value: 1 } } },
      "parameters.env_name",
      /not a parameter of the built-in trainer/,
    ],
    [
      "a free metric name",
      { dataset: "iris", metric: { name: "val/acc" } },
      "metric.name",
      /must be one of val_accuracy/,
    ],
  ])("keeps the built-in trainer's checks: %s", (_, input, path, message) => {
    const found = issues(input);
    expect(found.find((i) => i.path === path)?.message, JSON.stringify(found)).toMatch(message);
  });

  it("names what a sweep trains on", () => {
    expect(sweepSubject(parseSweepSpec({ ...program, program: "/opt/job/train.py" }))).toBe("program train.py");
    expect(sweepSubject(parseSweepSpec({ ...program, dataset: "iris" }))).toBe("program train.py on iris");
    expect(sweepSubject(parseSweepSpec({ dataset: "wine" }))).toBe("wine");
  });
});
