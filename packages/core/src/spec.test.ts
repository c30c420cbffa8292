import { describe, expect, it } from "vitest";
import { HpoError } from "./errors.ts";
import { gridSize, KNOWN_PARAMETERS, parseSweepSpec, sweepSpecJsonSchema } from "./spec.ts";

/** Runs parseSweepSpec expecting INVALID_SPEC; returns the error. */
function invalid(input: unknown, opts?: { format?: "json" | "yaml" }): HpoError {
  try {
    parseSweepSpec(input, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(HpoError);
    return e as HpoError;
  }
  throw new Error("expected parseSweepSpec to throw");
}

function issuePaths(e: HpoError): string[] {
  return (e.details as { path: string }[]).map((i) => i.path);
}

const base = { name: "t", dataset: "iris" };

describe("parseSweepSpec: valid sweeps", () => {
  it("fills documented defaults for a minimal classification sweep", () => {
    const spec = parseSweepSpec({ dataset: "digits" });
    expect(spec).toEqual({
      name: "digits-random",
      method: "random",
      metric: { name: "val_accuracy", goal: "maximize" },
      parameters: {},
      dataset: { name: "digits", task: "classification" },
      model: { hidden: [64], activation: "relu" },
      cv: { folds: 5, stratified: true, seed: 0 },
      budget: { max_trials: 20, max_parallel: 2, max_epochs: 20 },
      early_terminate: { type: "none" },
      seed: 0,
    });
    expect(Object.isFrozen(spec.parameters)).toBe(true);
  });

  it("defaults regression sweeps to val_loss/minimize and unstratified folds", () => {
    const spec = parseSweepSpec({ dataset: { path: "data/houses.csv", label: "price", task: "regression" } });
    expect(spec.metric).toEqual({ name: "val_loss", goal: "minimize" });
    expect(spec.cv.stratified).toBe(false);
    expect(spec.dataset).toEqual({ path: "data/houses.csv", label: "price", task: "regression" });
  });

  it("reads the column options of a CSV dataset", () => {
    const spec = parseSweepSpec({
      dataset: {
        path: "titanic.csv",
        label: "survived",
        columns: { embarked: "categorical", passenger_id: "ignore", pclass: "numeric" },
        missing: ["", "?"],
        max_categories: 10,
      },
      metric: { name: "val_auc" },
      parameters: { class_weight: { values: ["none", "balanced"] } },
    });
    expect(spec.dataset).toEqual({
      path: "titanic.csv",
      label: "survived",
      task: "classification",
      columns: { embarked: "categorical", passenger_id: "ignore", pclass: "numeric" },
      missing: ["", "?"],
      max_categories: 10,
    });
    expect(spec.metric).toEqual({ name: "val_auc", goal: "maximize" });
  });

  it.each([
    ["val_auc", "classification", "maximize"],
    ["val_f1", "classification", "maximize"],
    ["val_balanced_accuracy", "classification", "maximize"],
    ["val_log_loss", "classification", "minimize"],
    ["val_rmse", "regression", "minimize"],
  ] as const)("gives %s the goal %s by default", (name, task, goal) => {
    const spec = parseSweepSpec({ dataset: { path: "a.csv", task }, metric: { name } });
    expect(spec.metric.goal).toBe(goal);
  });

  it("reads YAML with every kind of parameter and a condition", () => {
    const spec = parseSweepSpec(`
name: digits-adam
method: bayes
metric: {name: val_accuracy, goal: maximize, target: 0.97}
dataset: digits
parameters:
  learning_rate: {distribution: log_uniform_values, min: 1e-4, max: 1e-1}
  batch_size: {values: [32, 64, 128]}
  optimizer: {values: [sgd, momentum, adam]}
  momentum: {min: 0.5, max: 0.99, when: {optimizer: momentum}}
  dropout: {distribution: q_uniform, min: 0, max: 0.5, q: 0.1}
  hidden: {values: [[64], [128, 64]]}
  epochs: {min: 5, max: 10}
  nesterov: {value: true}
cv: {folds: 3, seed: 7}
budget: {max_trials: 30, max_parallel: 4, max_epochs: 15, max_seconds: 600}
early_terminate: {type: hyperband, min_iter: 2, eta: 2}
seed: 42
`);
    expect(spec.method).toBe("tpe");
    expect(spec.metric.target).toBe(0.97);
    expect(spec.parameters.learning_rate).toEqual({
      distribution: { kind: "log_uniform_values", min: 1e-4, max: 0.1 },
    });
    expect(spec.parameters.momentum).toEqual({
      distribution: { kind: "uniform", min: 0.5, max: 0.99 },
      when: { optimizer: ["momentum"] },
    });
    expect(spec.parameters.dropout?.distribution).toEqual({ kind: "q_uniform", min: 0, max: 0.5, q: 0.1 });
    expect(spec.parameters.hidden?.distribution).toEqual({ kind: "categorical", values: [[64], [128, 64]] });
    expect(spec.parameters.epochs?.distribution).toEqual({ kind: "int_uniform", min: 5, max: 10 });
    expect(spec.parameters.nesterov?.distribution).toEqual({ kind: "constant", value: true });
    expect(spec.cv).toEqual({ folds: 3, stratified: true, seed: 7 });
    expect(spec.budget).toEqual({ max_trials: 30, max_parallel: 4, max_epochs: 15, max_seconds: 600 });
    expect(spec.early_terminate).toEqual({
      type: "hyperband",
      min_resource: 2,
      max_resource: 15,
      reduction_factor: 2,
      rungs: [2, 4, 8],
    });
    expect(spec.seed).toBe(42);
  });

  it("reads strict JSON text and a scalar `when` shorthand", () => {
    const text = JSON.stringify({
      ...base,
      parameters: {
        optimizer: { values: ["adam", "sgd"] },
        beta1: { values: [0.9, 0.95], when: { optimizer: "adam" } },
      },
    });
    const spec = parseSweepSpec(text, { format: "json" });
    expect(spec.parameters.beta1?.when).toEqual({ optimizer: ["adam"] });
  });

  it("fills ASHA and median defaults", () => {
    expect(parseSweepSpec({ ...base, early_terminate: { type: "asha" } }).early_terminate).toEqual({
      type: "asha",
      min_resource: 1,
      max_resource: 20,
      reduction_factor: 3,
      grace_period: 0,
    });
    expect(parseSweepSpec({ ...base, early_terminate: "median" }).early_terminate).toEqual({
      type: "median",
      n_startup_trials: 5,
      n_warmup_steps: 0,
      interval_steps: 1,
      n_min_trials: 1,
    });
  });

  it("accepts unicode names and infers the goal of a loss metric", () => {
    const spec = parseSweepSpec({ name: "régression ✓ 数字", dataset: "wine", metric: { name: "val_loss" } });
    expect(spec.name).toBe("régression ✓ 数字");
    expect(spec.metric.goal).toBe("minimize");
  });

  it("documents every known parameter", () => {
    expect(Object.keys(KNOWN_PARAMETERS)).toContain("learning_rate");
    for (const p of Object.values(KNOWN_PARAMETERS)) expect(p.doc.length).toBeGreaterThan(10);
  });

  it("exports a JSON schema", () => {
    const schema = sweepSpecJsonSchema() as { properties: Record<string, unknown>; additionalProperties: boolean };
    expect(Object.keys(schema.properties)).toContain("parameters");
    expect(schema.additionalProperties).toBe(false);
  });
});

describe("parseSweepSpec: invalid sweeps name the path", () => {
  const cases: [string, unknown, string, RegExp][] = [
    [
      "log min <= 0",
      { ...base, parameters: { learning_rate: { distribution: "log_uniform_values", min: -1, max: 0.1 } } },
      "parameters.learning_rate.min",
      /must be > 0 for log_uniform_values, got -1/,
    ],
    [
      "min >= max",
      { ...base, parameters: { dropout: { min: 0.5, max: 0.1 } } },
      "parameters.dropout.min",
      /must be < max \(0.1\), got 0.5/,
    ],
    [
      "q <= 0",
      { ...base, parameters: { dropout: { distribution: "q_uniform", min: 0, max: 0.5, q: 0 } } },
      "parameters.dropout.q",
      /must be > 0/,
    ],
    [
      "int_uniform with floats",
      { ...base, parameters: { epochs: { distribution: "int_uniform", min: 1.5, max: 4 } } },
      "parameters.epochs.min",
      /integer for int_uniform, got 1.5/,
    ],
    [
      "uniform for an integer parameter",
      { ...base, parameters: { batch_size: { distribution: "uniform", min: 8, max: 64 } } },
      "parameters.batch_size.distribution",
      /takes integers/,
    ],
    [
      "empty values",
      { ...base, parameters: { batch_size: { values: [] } } },
      "parameters.batch_size.values",
      /must not be empty/,
    ],
    [
      "too many values",
      { ...base, parameters: { batch_size: { values: Array.from({ length: 1001 }, (_, i) => i + 1) } } },
      "parameters.batch_size.values",
      /at most 1000 items/,
    ],
    [
      "NaN bound",
      { ...base, parameters: { dropout: { min: Number.NaN, max: 0.5 } } },
      "parameters.dropout.min",
      /must be a number, got NaN/,
    ],
    [
      "Infinity bound",
      { ...base, parameters: { dropout: { min: 0, max: Number.POSITIVE_INFINITY } } },
      "parameters.dropout.max",
      /must be a number, got Infinity/,
    ],
    [
      "unknown parameter",
      { ...base, parameters: { learning_rte: { value: 0.1 } } },
      "parameters.learning_rte",
      /is not a parameter of the built-in trainer; did you mean "learning_rate"\?/,
    ],
    [
      "unknown optimizer",
      { ...base, parameters: { optimizer: { values: ["adam", "adamw"] } } },
      "parameters.optimizer.values[1]",
      /must be one of sgd \| momentum .*got "adamw"/,
    ],
    [
      "dropout out of range",
      { ...base, parameters: { dropout: { value: 1 } } },
      "parameters.dropout.value",
      /in \[0, 1\), got 1/,
    ],
    [
      "bad hidden",
      { ...base, parameters: { hidden: { values: [[64], [0]] } } },
      "parameters.hidden.values[1]",
      /layer sizes/,
    ],
    [
      "q on uniform",
      { ...base, parameters: { dropout: { distribution: "uniform", min: 0, max: 0.5, q: 0.1 } } },
      "parameters.dropout.q",
      /only used by the q_ distributions, not uniform/,
    ],
    [
      "min/max for a categorical parameter",
      { ...base, parameters: { optimizer: { min: 0, max: 1 } } },
      "parameters.optimizer",
      /use values/,
    ],
    [
      "unknown key in a parameter",
      { ...base, parameters: { dropout: { min: 0, max: 0.5, probabilities: [1] } } },
      "parameters.dropout.probabilities",
      /not a known key/,
    ],
    [
      "when references a missing parameter",
      { ...base, parameters: { momentum: { values: [0.9], when: { optimizer: ["momentum"] } } } },
      "parameters.momentum.when.optimizer",
      /not among the parameters/,
    ],
    [
      "when lists an impossible value",
      {
        ...base,
        parameters: {
          optimizer: { values: ["sgd", "adam"] },
          momentum: { values: [0.9], when: { optimizer: ["momentum"] } },
        },
      },
      "parameters.momentum.when.optimizer[0]",
      /"momentum" is not one of the values of optimizer/,
    ],
    [
      "when references a continuous parameter",
      { ...base, parameters: { dropout: { min: 0, max: 0.5 }, l1: { values: [0], when: { dropout: [0.1] } } } },
      "parameters.l1.when.dropout",
      /not categorical/,
    ],
    [
      "unknown top-level key",
      { ...base, trainingfile: "train.py" },
      "trainingfile",
      /not a known key \(known keys: name, method/,
    ],
    ["unknown cv key", { ...base, cv: { foldz: 3 } }, "cv.foldz", /known keys: folds, stratified, seed/],
    ["folds out of range", { ...base, cv: { folds: 0 } }, "cv.folds", />= 1, got 0/],
    ["one fold for the built-in trainer", { ...base, cv: { folds: 1 } }, "cv.folds", /at least 2 for the built-in/],
    ["folds not an integer", { ...base, cv: { folds: 2.5 } }, "cv.folds", /must be an integer, got 2.5/],
    ["budget zero", { ...base, budget: { max_trials: 0 } }, "budget.max_trials", />= 1, got 0/],
    ["unknown method", { ...base, method: "hyperopt" }, "method", /must be one of "grid" \| "random"/],
    ["missing dataset", { name: "t" }, "dataset", /is required/],
    ["dataset name not an id", { name: "t", dataset: "../etc/passwd" }, "dataset.name", /letters, digits/],
    ["dataset name and path", { name: "t", dataset: { name: "iris", path: "a.csv" } }, "dataset", /not both/],
    [
      "stratified regression",
      { name: "t", dataset: { name: "x", task: "regression" }, cv: { stratified: true } },
      "cv.stratified",
      /must be false for a regression dataset/,
    ],
    ["name with a control character", { name: "a\u0007b", dataset: "iris" }, "name", /printable/],
    [
      "column name with a bidi override",
      { name: "t", dataset: { path: "a.csv", columns: { "a\u202eb": "numeric" } } },
      'dataset.columns["a\\u202eb"]',
      /printable/,
    ],
    ["name too long", { name: "x".repeat(101), dataset: "iris" }, "name", /at most 100 characters/],
    [
      "unknown early_terminate option",
      { ...base, early_terminate: { type: "asha", eta: 3, brackets: 2 } },
      "early_terminate.brackets",
      /not a known key/,
    ],
    [
      "early_terminate alias twice",
      { ...base, early_terminate: { type: "asha", eta: 3, reduction_factor: 2 } },
      "early_terminate.eta",
      /alias of reduction_factor/,
    ],
    [
      "first rung past the budget",
      { ...base, early_terminate: { type: "asha", min_resource: 30 } },
      "early_terminate.min_resource",
      /<= budget.max_epochs \(20\), got 30/,
    ],
    [
      "metric of the wrong task",
      { ...base, metric: { name: "val_r2" } },
      "metric.name",
      /must be one of val_accuracy \| val_loss .* for a classification dataset, got "val_r2"/,
    ],
    ["bad activation", { ...base, model: { activation: "swish" } }, "model.activation", /must be one of relu/],
    [
      "unknown column type",
      { name: "t", dataset: { path: "a.csv", columns: { sex: "text" } } },
      "dataset.columns.sex",
      /must be one of "numeric" \| "categorical" \| "ignore", got "text"/,
    ],
    [
      "column options on a built-in dataset",
      { name: "t", dataset: { name: "iris", max_categories: 5 } },
      "dataset.max_categories",
      /applies to CSV files only/,
    ],
    [
      "a type for the label column",
      { name: "t", dataset: { path: "a.csv", label: "survived", columns: { survived: "categorical" } } },
      "dataset.columns.survived",
      /is the label column/,
    ],
    [
      "one-hot cap below 1",
      { name: "t", dataset: { path: "a.csv", max_categories: 0 } },
      "dataset.max_categories",
      />= 1, got 0/,
    ],
    [
      "unknown class_weight",
      { ...base, parameters: { class_weight: { values: ["balanced", "auto"] } } },
      "parameters.class_weight.values[1]",
      /none, balanced|none \| balanced/,
    ],
    [
      "grid over a continuous parameter",
      { ...base, method: "grid", parameters: { dropout: { min: 0, max: 0.5 } } },
      "parameters.dropout.distribution",
      /method grid needs values/,
    ],
  ];

  it.each(cases)("%s", (_label, input, path, message) => {
    const e = invalid(input);
    expect(e.code).toBe("INVALID_SPEC");
    expect(e.status).toBe(400);
    expect(issuePaths(e)).toContain(path);
    const line = e.message.split("\n").find((l) => l.includes(` ${path} `) || l.endsWith(` ${path}`));
    expect(line, e.message).toBeDefined();
    expect(line).toMatch(message);
  });

  it("escapes unprintable characters of a column name in the issue path", () => {
    const e = invalid({ name: "t", dataset: { path: "a.csv", columns: { "a\u202eb\u{f0000}": "numeric" } } });
    expect(issuePaths(e)).toEqual(['dataset.columns["a\\u202eb\\udb80\\udc00"]']);
    expect(e.message).not.toMatch(/[\u202e\udb80]/);
  });

  it('formats messages as `sweep "name": path message`', () => {
    const e = invalid({
      name: "digits-adam",
      dataset: "digits",
      parameters: { learning_rate: { distribution: "log_uniform_values", min: -1, max: 0.1 } },
    });
    expect(e.message).toBe(
      'sweep "digits-adam": parameters.learning_rate.min must be > 0 for log_uniform_values, got -1',
    );
  });

  it("lists every issue, not only the first", () => {
    const e = invalid({
      name: "x",
      dataset: "iris",
      cv: { folds: 0 },
      budget: { max_epochs: -1 },
      parameters: { dropout: { value: 2 }, lrate: { value: 1 } },
    });
    expect(issuePaths(e)).toEqual(
      expect.arrayContaining(["cv.folds", "budget.max_epochs", "parameters.dropout.value", "parameters.lrate"]),
    );
    // The four problems, plus the one line listing the parameters the built-in trainer reads.
    expect(e.message.split("\n")).toHaveLength(5);
  });

  it("refuses a cycle of conditions", () => {
    const e = invalid({
      ...base,
      parameters: {
        optimizer: { values: ["sgd", "momentum"], when: { nesterov: [true] } },
        nesterov: { values: [true, false], when: { optimizer: ["momentum"] } },
      },
    });
    expect(e.message).toMatch(
      /conditions form a cycle: (optimizer → nesterov → optimizer|nesterov → optimizer → nesterov)/,
    );
  });

  it("refuses grid explosion with the count", () => {
    const e = invalid({
      ...base,
      method: "grid",
      parameters: {
        batch_size: { min: 1, max: 1250 },
        hidden: { values: Array.from({ length: 1000 }, (_, i) => [i + 1]) },
      },
    });
    expect(e.message).toBe('sweep "t": parameters grid would make 1,250,000 trials; the limit is 100000');
  });

  it("reports YAML syntax errors with line and column", () => {
    const e = invalid("name: x\ndataset: iris\nparameters:\n  dropout: {min: 0, max: [1\n");
    expect(e.message).toMatch(/YAML syntax error at line \d+, column \d+/);
    expect(invalid("a: 1\na: 2\n").message).toMatch(/line 2, column 1: Map keys must be unique/);
  });

  it("reports JSON syntax errors in json mode", () => {
    expect(invalid('{"name": "x",', { format: "json" }).message).toMatch(/JSON syntax error/);
  });

  it("refuses non-objects and YAML .nan", () => {
    expect(invalid("- 1\n- 2\n").message).toMatch(/must be a mapping of sweep keys/);
    expect(invalid(null).message).toMatch(/got null/);
    expect(issuePaths(invalid("name: x\ndataset: iris\nseed: .nan\n"))).toEqual(["seed"]);
  });

  it("refuses oversized text with PAYLOAD_TOO_LARGE", () => {
    expect(() => parseSweepSpec(`name: ${"x".repeat(1_000_001)}`)).toThrow(
      expect.objectContaining({ code: "PAYLOAD_TOO_LARGE" }),
    );
  });

  it("caps YAML alias expansion", () => {
    const bomb = [
      "a: &a [1,1,1,1,1,1,1,1,1,1]",
      "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]",
      "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]",
      "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]",
      "e: [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]",
    ].join("\n");
    expect(invalid(bomb).message).toMatch(/YAML could not be read/);
  });

  it("does not let __proto__ keys through", () => {
    const e = invalid(JSON.parse('{"name":"x","dataset":"iris","parameters":{"__proto__":{"value":1}}}'));
    expect(issuePaths(e)).toContain("parameters.__proto__");
  });
});

describe("gridSize", () => {
  it("multiplies supports and counts conditional parameters only where active", () => {
    const spec = parseSweepSpec({
      ...base,
      method: "grid",
      parameters: {
        batch_size: { values: [32, 64] },
        optimizer: { values: ["sgd", "momentum", "adam"] },
        momentum: { values: [0.5, 0.9], when: { optimizer: ["momentum"] } },
        nesterov: { values: [true, false], when: { optimizer: ["momentum"] } },
        dropout: { distribution: "q_uniform", min: 0, max: 0.5, q: 0.1 },
        epochs: { min: 1, max: 3 },
      },
    });
    // (sgd: 1 + momentum: 2·2 + adam: 1) · batch 2 · dropout 6 · epochs 3
    expect(gridSize(spec)).toBe(6 * 2 * 6 * 3);
  });

  it("is Infinity with a continuous parameter", () => {
    expect(gridSize(parseSweepSpec({ ...base, parameters: { dropout: { min: 0, max: 0.5 } } }))).toBe(
      Number.POSITIVE_INFINITY,
    );
  });
});

describe("parseSweepSpec: cv.repeats", () => {
  it("keeps repeats above 1, drops 1 (the default), and bounds folds × repeats", () => {
    expect(parseSweepSpec({ ...base, cv: { folds: 5, repeats: 3 } }).cv).toMatchObject({ folds: 5, repeats: 3 });
    expect(parseSweepSpec({ ...base, cv: { repeats: 1 } }).cv).not.toHaveProperty("repeats");
    expect(issuePaths(invalid({ ...base, cv: { repeats: 0 } }))).toEqual(["cv.repeats"]);
    expect(issuePaths(invalid({ ...base, cv: { repeats: 1.5 } }))).toEqual(["cv.repeats"]);
    expect(invalid({ ...base, cv: { folds: 10, repeats: 11 } }).message).toMatch(
      /cv.repeats must be at most 10 with 10 folds \(folds × repeats ≤ 100: a trial trains them at once\), got 11/,
    );
  });
});

describe("parseSweepSpec: select", () => {
  it("keeps the final selection phase and checks its bounds", () => {
    expect(parseSweepSpec({ ...base, select: { top: 5, repeats: 3 } }).select).toEqual({ top: 5, repeats: 3 });
    expect(parseSweepSpec(base).select).toBeUndefined();
    expect(issuePaths(invalid({ ...base, select: { top: 0, repeats: 1 } }))).toEqual(["select.top"]);
    expect(issuePaths(invalid({ ...base, select: { top: 2 } }))).toEqual(["select.repeats"]);
    expect(invalid({ ...base, select: { top: 2, repeats: 2, more: 1 } }).message).toMatch(/select/);
    expect(invalid({ ...base, cv: { folds: 10 }, select: { top: 2, repeats: 11 } }).message).toMatch(
      /select.repeats must be at most 10 with 10 folds/,
    );
  });
});
