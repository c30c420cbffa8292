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
  // Non-default hyperparameters and a large ε (0.1, far above the 1e-5 tolerance): an optimizer
  // that kept a default, or put ε elsewhere (inside the square root, or scaled as tfjs's Adam
  // does), lands elsewhere. Worked by hand, second element shown where the first stays put.
  // m1 = 0.05, v1 = 0.2·0.01 = 0.002, m̂ = 0.1, v̂ = 0.01, x1 = −2 − 0.1·0.1/(0.1 + 0.1) = −2.05;
  // m2 = 0.025 + 0.15 = 0.175, v2 = 0.0016 + 0.018 = 0.0196, m̂ = 0.175/0.75, v̂ = 0.0196/0.36,
  // √v̂ = 0.2333333, x2 = −2.05 − 0.1·0.2333333/0.3333333 = −2.12 (first element: m2 = 0, stays)
  [
    "adam β 0.5/0.8 ε 0.1",
    { optimizer: "adam", beta1: 0.5, beta2: 0.8, epsilon: 0.1 },
    [0.9166667, -2.05],
    [0.9166667, -2.12],
  ],
  // m1 = 0.05, u1 = 0.1, x1 = −2 − (0.1/0.5)·0.05/(0.1 + 0.1) = −2.05; m2 = 0.175, u2 = max(0.08, 0.3),
  // x2 = −2.05 − (0.1/0.75)·0.175/0.4 = −2.1083333
  [
    "adamax β 0.5/0.8 ε 0.1",
    { optimizer: "adamax", beta1: 0.5, beta2: 0.8, epsilon: 0.1 },
    [0.9166667, -2.05],
    [0.9166667, -2.1083333],
  ],
  // E1 = 0.125, x1 = 1 − 0.05/(√0.125 + 0.1) = 0.8897594; E2 = 0.09375, x2 = x1 + 0.025/(√0.09375 + 0.1)
  [
    "rmsprop ρ 0.5 ε 0.1",
    { optimizer: "rmsprop", rho: 0.5, epsilon: 0.1 },
    [0.8897594, -2.0585786],
    [0.9513075, -2.1529346],
  ],
  // v1 = 0.1102406, x1 = 0.8897594; v2 = 0.5·v1 − 0.0615481 = −0.0064278, x2 = 0.8961872
  [
    "rmsprop ρ 0.5 ε 0.1 momentum 0.5",
    { optimizer: "rmsprop", rho: 0.5, epsilon: 0.1, momentum: 0.5 },
    [0.8897594, -2.0585786],
    [0.8961872, -2.1822239],
  ],
  // Eg1 = 0.125, Δx1 = −√0.1/√0.225·0.5 = −0.3333333, EΔ1 = 0.0555556; Eg2 = 0.09375,
  // Δx2 = √0.1555556/√0.19375·0.25 = 0.2240071
  [
    "adadelta ρ 0.5 ε 0.1",
    { optimizer: "adadelta", rho: 0.5, epsilon: 0.1 },
    [0.6666667, -2.09759],
    [0.8906738, -2.350419],
  ],
  // G1 = 0.25, x1 = 1 − 0.05/0.6 = 0.9166667; G2 = 0.3125, x2 = x1 + 0.025/(√0.3125 + 0.1) = 0.954602
  ["adagrad ε 0.1", { optimizer: "adagrad", epsilon: 0.1 }, [0.9166667, -2.05], [0.954602, -2.1220759]],
  // v1 = 0.05, x1 = 0.95; v2 = 0.025 − 0.025 = 0, x2 = 0.95 (second: v2 = 0.005 + 0.03, x2 = −2.045)
  ["momentum 0.5", { optimizer: "momentum", momentum: 0.5 }, [0.95, -2.01], [0.95, -2.045]],
  // x1 = 1 − (0.5·0.05 + 0.05) = 0.925; x2 = 0.925 − (0.5·0 − 0.025) = 0.95
  ["nesterov 0.5", { optimizer: "momentum", momentum: 0.5, nesterov: true }, [0.925, -2.015], [0.95, -2.0625]],
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

// Packed models (K = 2, one row each): model 0 starts at [1, −2] as above, model 1 at [3, 0.5].
// With β1 0.5, β2 0.8, ε 0.1, a model's first Adam/AdaMax step is closed form: the bias
// correction makes m̂ = g and v̂ = g² (AdaMax: u = |g|), so x ← x − η·g/(|g| + ε).
// Model 1 from [3, 0.5] with g = [0.4, −0.1]: 3 − 0.1·0.4/0.5 = 2.92; 0.5 + 0.1·0.1/0.2 = 0.55.
const PACKED_START = [
  [1, -2],
  [3, 0.5],
];
const PACKED_G1 = [
  [0.5, 0.1],
  [0.7, -0.2],
];
const PACKED_G2 = [
  [-0.25, 0.3],
  [0.4, -0.1],
];
const MODEL1_FIRST_STEP = [2.92, 0.55];
const packedCases: [string, number[]][] = [
  // model 0 after two steps: the "β 0.5/0.8 ε 0.1" cases above
  ["adam", [0.9166667, -2.12]],
  ["adamax", [0.9166667, -2.1083333]],
];

describe("packed models: the active mask and a step count per model", () => {
  const run = (optimizer: string, steps: { g: number[][]; active: boolean[]; t: number[] }[]): number[][][] => {
    const config = parseTrainConfig(
      { optimizer, beta1: 0.5, beta2: 0.8, epsilon: 0.1, learning_rate: 0.1 },
      { hidden: [], activation: "relu" },
    );
    const opt = createOptimizer(config);
    const x = tf.variable(tf.tensor2d(PACKED_START));
    const after: number[][][] = [];
    for (const { g, active, t } of steps) {
      const [gt, mask] = [tf.tensor2d(g), tf.tensor1d(active, "bool")];
      opt.apply([x], [gt], { lr: 0.1, t, active: mask });
      after.push(x.arraySync() as number[][]);
      gt.dispose();
      mask.dispose();
    }
    opt.dispose();
    x.dispose();
    return after;
  };
  const expectRow = (got: number[] | undefined, want: number[]) => {
    for (const [i, v] of want.entries()) expect(got?.[i]).toBeCloseTo(v, 5);
  };

  it.each(packedCases)("%s: a model outside the mask keeps its weights and its state", (optimizer, _) => {
    const [a, b] = run(optimizer, [
      { g: PACKED_G1, active: [true, false], t: [1, 0] },
      { g: PACKED_G2, active: [false, true], t: [1, 1] },
    ]);
    expectRow(a?.[0], [0.9166667, -2.05]); // model 0's first step
    expectRow(a?.[1], [3, 0.5]); // model 1 untouched
    expectRow(b?.[0], [0.9166667, -2.05]); // model 0 untouched by step 2
    // model 1's first step from zero state: G1's row for it never reached its m, v (or u)
    expectRow(b?.[1], MODEL1_FIRST_STEP);
  });

  it.each(packedCases)("%s: each model's bias correction uses its own step count", (optimizer, model0) => {
    const [, b] = run(optimizer, [
      { g: PACKED_G1, active: [true, false], t: [1, 0] },
      { g: PACKED_G2, active: [true, true], t: [2, 1] },
    ]);
    expectRow(b?.[0], model0); // t = 2
    expectRow(b?.[1], MODEL1_FIRST_STEP); // t = 1 (with t = 2 it would land elsewhere)
  });
});
