import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../backend.ts";
import { parseTrainConfig } from "../params.ts";
import { createOptimizer } from "./create-optimizer.ts";

// Two update steps from x = [1, −2] with gradients g1 = [0.5, 0.1] then g2 = [−0.25, 0.3], η = 0.1.
// Expected values worked out from the textbook rules (first element shown in each comment).
const cases: [string, Record<string, string | number | boolean>, number[], number[]][] = [
  // x1 = 1 − 0.1·0.5 = 0.95; x2 = 0.95 + 0.1·0.25 = 0.975
  ["sgd", { optimizer: "sgd" }, [0.95, -2.01], [0.975, -2.04]],
  // v1 = 0.05, x1 = 0.95; v2 = 0.9·0.05 − 0.025 = 0.02, x2 = 0.93
  ["momentum", { optimizer: "momentum", momentum: 0.9 }, [0.95, -2.01], [0.93, -2.049]],
  // x1 = 1 − (0.9·0.05 + 0.05) = 0.905; x2 = 0.905 − (0.9·0.02 − 0.025) = 0.912
  ["nesterov", { optimizer: "momentum", momentum: 0.9, nesterov: true }, [0.905, -2.019], [0.912, -2.0841]],
  // G1 = 0.25, x1 = 1 − 0.1·0.5/0.5 = 0.9; G2 = 0.3125, x2 = 0.9 + 0.025/√0.3125 = 0.9447214
  ["adagrad", { optimizer: "adagrad" }, [0.9, -2.1], [0.9447214, -2.1948683]],
  // E1 = 0.025, x1 = 1 − 0.05/√0.025 = 0.6837723; E2 = 0.02875, x2 = x1 + 0.025/√0.02875 = 0.8312142
  ["rmsprop", { optimizer: "rmsprop", rho: 0.9 }, [0.6837723, -2.3162277], [0.8312142, -2.617739]],
  // with momentum 0.5: v1 = 0.3162278, x1 = 0.6837723; v2 = 0.5·v1 − 0.1474420, x2 = 0.6731003
  [
    "rmsprop+momentum",
    { optimizer: "rmsprop", rho: 0.9, momentum: 0.5 },
    [0.6837723, -2.3162277],
    [0.6731003, -2.7758528],
  ],
  // Eg1 = 0.0125, Δx1 = −√1e−6/√(0.0125+1e−6)·0.5 = −0.004472, EΔ1 = 0.05·Δx1²;
  // Eg2 = 0.95·0.0125 + 0.05·0.0625 = 0.015, Δx2 = √(EΔ1+1e−6)/√(Eg2+1e−6)·0.25 = 0.0028866
  ["adadelta", { optimizer: "adadelta", rho: 0.95, epsilon: 1e-6 }, [0.995528, -2.0044677], [0.9984146, -2.0104791]],
  // m1 = 0.05, v1 = 0.00025, m̂ = 0.5, v̂ = 0.25, x1 = 0.9; m2 = 0.02, v2 = 0.00031225,
  // m̂ = 0.02/0.19, v̂ = 0.00031225/0.001999, x2 = 0.9 − 0.1·m̂/(√v̂ + 1e−8) = 0.8733663
  ["adam", { optimizer: "adam" }, [0.9, -2.1], [0.8733663, -2.1917781]],
  // m1 = 0.05, u1 = 0.5, x1 = 1 − (0.1/0.1)·0.05/0.5 = 0.9; m2 = 0.02, u2 = max(0.4995, 0.25),
  // x2 = 0.9 − (0.1/0.19)·0.02/0.4995 = 0.8789263
  ["adamax", { optimizer: "adamax" }, [0.9, -2.1], [0.8789263, -2.168421]],
];

beforeAll(async () => {
  await selectBackend("cpu");
});

describe("optimizers follow their textbook update rules", () => {
  it.each(cases)("%s: two steps by hand", (_, params, step1, step2) => {
    const before = tf.memory().numTensors;
    const config = parseTrainConfig({ ...params, learning_rate: 0.1 }, { hidden: [], activation: "relu" });
    const opt = createOptimizer(config);
    const init = tf.tensor1d([1, -2]);
    const x = tf.variable(init);
    const g1 = tf.tensor1d([0.5, 0.1]);
    const g2 = tf.tensor1d([-0.25, 0.3]);
    opt.apply([x], [g1], { lr: 0.1, t: [1] });
    const a = Array.from(x.dataSync());
    opt.apply([x], [g2], { lr: 0.1, t: [2] });
    const b = Array.from(x.dataSync());
    for (const [i, v] of step1.entries()) expect(a[i]).toBeCloseTo(v, 5);
    for (const [i, v] of step2.entries()) expect(b[i]).toBeCloseTo(v, 5);
    expect(opt.iterations).toBe(2);
    opt.dispose();
    for (const t of [x, init, g1, g2]) t.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("adadelta ignores the learning rate", () => {
    const config = parseTrainConfig({ optimizer: "adadelta" }, { hidden: [], activation: "relu" });
    const results = [0.1, 5].map((lr) => {
      const opt = createOptimizer(config);
      const x = tf.variable(tf.tensor1d([1]));
      const g = tf.tensor1d([0.5]);
      opt.apply([x], [g], { lr, t: [1] });
      const v = x.dataSync()[0];
      opt.dispose();
      x.dispose();
      g.dispose();
      return v;
    });
    expect(results[0]).toBe(results[1]);
  });
});
