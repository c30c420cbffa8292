import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { activate } from "./activations.ts";
import { selectBackend } from "./backend.ts";
import { clipByGlobalNorm, clipByValue } from "./clip.ts";

beforeAll(async () => {
  await selectBackend("cpu");
});

describe("gradient clipping", () => {
  it("by global norm rescales each model's gradient as a whole when its norm exceeds the limit", () => {
    tf.tidy(() => {
      const g = tf.tensor2d([3, 4, 0.3, 0.4], [2, 2]); // model norms 5 and 0.5
      const clipped = Array.from(clipByGlobalNorm(g, 1).dataSync());
      [0.6, 0.8, 0.3, 0.4].forEach((v, i) => {
        expect(clipped[i]).toBeCloseTo(v, 6);
      });
    });
  });

  it("by value clamps each element", () => {
    tf.tidy(() => {
      const g = clipByValue(tf.tensor2d([-3, 0.2, 7], [1, 3]), 0.5);
      expect(Array.from(g.dataSync()).map((v) => +v.toFixed(6))).toEqual([-0.5, 0.2, 0.5]);
    });
  });
});

describe("activations", () => {
  it("leaky_relu uses the given α; elu is exp(x) − 1 below zero", () => {
    tf.tidy(() => {
      const x = tf.tensor1d([-2, -1, 3]);
      expect(Array.from(activate(x, "leaky_relu", 0.1).dataSync()).map((v) => +v.toFixed(6))).toEqual([-0.2, -0.1, 3]);
      const elu = Array.from(activate(x, "elu", 0).dataSync());
      expect(elu[0]).toBeCloseTo(Math.exp(-2) - 1, 6);
      expect(elu[2]).toBe(3);
      expect(Array.from(activate(x, "relu", 0).dataSync())).toEqual([0, 0, 3]);
      expect(activate(x, "sigmoid", 0).dataSync()[2]).toBeCloseTo(1 / (1 + Math.exp(-3)), 6);
      expect(activate(x, "tanh", 0).dataSync()[0]).toBeCloseTo(Math.tanh(-2), 6);
    });
  });
});
