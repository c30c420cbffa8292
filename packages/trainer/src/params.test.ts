import { describe, expect, it } from "vitest";
import { parseTrainConfig, TRAINER_PARAMS } from "./params.ts";

const model = { hidden: [64, 32], activation: "relu" };

describe("parseTrainConfig", () => {
  it("fills textbook defaults", () => {
    const c = parseTrainConfig({}, model);
    expect(c).toMatchObject({
      hidden: [64, 32],
      activation: "relu",
      optimizer: "adam",
      learningRate: 1e-3,
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-8,
      batchSize: 32,
      initializer: "he",
      dropout: 0,
      lrSchedule: "constant",
    });
    expect(parseTrainConfig({ optimizer: "adadelta" }, model)).toMatchObject({ rho: 0.95, epsilon: 1e-6 });
    expect(parseTrainConfig({ optimizer: "sgd" }, model).learningRate).toBe(0.01);
    expect(parseTrainConfig({ activation: "tanh" }, model).initializer).toBe("glorot");
  });

  it("lets hidden override model.hidden, as a list or a string", () => {
    expect(parseTrainConfig({ hidden: [8, 8, 8] }, model).hidden).toEqual([8, 8, 8]);
    expect(parseTrainConfig({ hidden: "128,64" }, model).hidden).toEqual([128, 64]);
    expect(parseTrainConfig({ hidden: "[]" }, model).hidden).toEqual([]);
  });

  it("reads the common other spellings: lr, num_epochs, hidden_size × num_layers, Adam, xavier", () => {
    const c = parseTrainConfig(
      {
        lr: 0.05,
        num_epochs: 7,
        hidden_size: 32,
        num_layers: 3,
        optimizer: "Adam",
        activation: "ReLU",
        weight_init: "xavier",
      },
      model,
    );
    expect(c.learningRate).toBe(0.05);
    expect(c.epochs).toBe(7);
    expect(c.hidden).toEqual([32, 32, 32]);
    expect(c.optimizer).toBe("adam");
    expect(c.activation).toBe("relu");
    expect(c.initializer).toBe("glorot");
    expect(parseTrainConfig({ learn_rate: 0.2, num_layers: 2 }, { ...model, hidden: [16] }).hidden).toEqual([16, 16]);
  });

  it("refuses unknown names listing the known ones, and bad values naming the parameter", () => {
    expect(() => parseTrainConfig({ lrate: 0.1 }, model)).toThrow(
      `unknown trial parameter "lrate"; known: ${TRAINER_PARAMS.join(", ")}`,
    );
    expect(() => parseTrainConfig({ dropout: 1 }, model)).toThrow(
      'trial parameter "dropout": expected a number in [0, 1), got 1',
    );
    expect(() => parseTrainConfig({ optimizer: "lion" }, model)).toThrow(
      /"optimizer": expected one of sgd, momentum, adagrad, rmsprop, adadelta, adam, adamax/,
    );
    expect(() => parseTrainConfig({ batch_norm: "yes" }, model)).toThrow(
      'trial parameter "batch_norm": expected a boolean, got "yes"',
    );
    expect(() => parseTrainConfig({ hidden: [0] }, model)).toThrow(/"hidden": expected a list/);
  });
});
