import { describe, expect, it } from "vitest";
import { trainerParams } from "./param-aliases.ts";
import { parseSweepSpec } from "./spec.ts";
import { largestTrial } from "./sweep-memory.ts";
import { hpoErrorOf } from "./testing/hpo-error-of.ts";

const base = { name: "t", dataset: "iris" };

const refusal = (spec: Record<string, unknown>) => hpoErrorOf(() => parseSweepSpec({ ...base, ...spec })).message;

describe("the built-in trainer's other spellings", () => {
  it("accepts lr, learn_rate, num_epochs, hidden_size + num_layers and weight_init, keeping the names written", () => {
    const spec = parseSweepSpec({
      ...base,
      parameters: {
        lr: { distribution: "log_uniform_values", min: 1e-4, max: 0.1 },
        num_epochs: { values: [2, 3] },
        hidden_size: { values: [16, 64] },
        num_layers: { min: 1, max: 3 },
        weight_init: { values: ["xavier", "He"] },
        optimizer: { values: ["Adam", "SGD"] },
        activation: { value: "ReLU" },
      },
    });
    expect(Object.keys(spec.parameters)).toEqual([
      "lr",
      "num_epochs",
      "hidden_size",
      "num_layers",
      "weight_init",
      "optimizer",
      "activation",
    ]);
    const params = {
      lr: 0.01,
      num_epochs: 3,
      hidden_size: 64,
      num_layers: 2,
      weight_init: "xavier",
      optimizer: "Adam",
    };
    expect(trainerParams(params, spec.model)).toEqual({
      learning_rate: 0.01,
      epochs: 3,
      initializer: "glorot",
      optimizer: "adam",
      hidden: [64, 64],
    });
    // The memory check sees the stacked layers: the top width times the top layer count.
    expect(largestTrial(spec).params.hidden).toEqual([64, 64, 64]);
  });

  it("refuses two names the trainer reads as one, naming the one written second", () => {
    expect(refusal({ parameters: { learning_rate: { value: 0.1 }, lr: { value: 0.2 } } })).toMatch(
      /parameters\.lr and learning_rate are both read as learning_rate; keep one/,
    );
    expect(refusal({ parameters: { hidden: { value: [8] }, hidden_size: { value: 8 } } })).toMatch(
      /parameters\.hidden_size and hidden are both read as hidden/,
    );
  });

  it("refuses a choice that is not one in any case", () => {
    expect(refusal({ parameters: { optimizer: { values: ["Adam", "lion"] } } })).toMatch(
      /parameters\.optimizer\.values\[1\] must be one of sgd \| momentum .* \(any case\), got "lion"/,
    );
  });
});

describe("errors: every problem at once, known names listed once, with a guess", () => {
  it("names each unknown parameter with its closest known one and lists the known ones once", () => {
    const message = refusal({
      metric: { name: "val_acc" },
      parameters: { learning_rte: { value: 0.1 }, Batch_Size: { value: 8 }, epoch: { value: 2 }, zzz: { value: 1 } },
    });
    const lines = message.split("\n");
    expect(lines).toContain(
      'sweep "t": parameters.learning_rte is not a parameter of the built-in trainer; did you mean "learning_rate"?',
    );
    expect(lines).toContain(
      'sweep "t": parameters.Batch_Size is not a parameter of the built-in trainer; did you mean "batch_size"?',
    );
    expect(lines).toContain(
      'sweep "t": parameters.epoch is not a parameter of the built-in trainer; did you mean "epochs"?',
    );
    expect(lines).toContain('sweep "t": parameters.zzz is not a parameter of the built-in trainer');
    expect(lines.filter((l) => l.includes("the built-in trainer reads:"))).toHaveLength(1);
    // The metric is checked in the same pass.
    expect(lines.some((l) => l.includes("metric.name must be one of"))).toBe(true);
  });

  it("guesses misspelt keys and lists the known keys once per mapping", () => {
    const lines = refusal({ methd: "grid", metrc: { name: "val_loss" }, budget: { max_trail: 3 } }).split("\n");
    expect(lines).toContain('sweep "t": methd is not a known key; did you mean "method"?');
    expect(lines.filter((l) => l.includes("(known keys: name, method"))).toHaveLength(1);
    expect(lines.some((l) => /budget\.max_trail is not a known key; did you mean "max_trials"\?/.test(l))).toBe(true);
  });
});
