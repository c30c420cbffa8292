import { createRng } from "@hpo/core";
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "./backend.ts";
import { createOptimizer } from "./optimizers/create-optimizer.ts";
import { parseTrainConfig } from "./params.ts";
import { WASM_ADAM } from "./wasm-adam-kernel.ts";

beforeAll(async () => {
  await selectBackend("wasm");
});
afterAll(async () => {
  await tf.setBackend("wasm");
});

type Step = { g: Float32Array; t: number[]; active?: boolean[] };

/** x after Adam's steps from x0 [K, P] on the active backend. */
function train(x0: Float32Array, shape: [number, number], steps: readonly Step[], params: Record<string, number>) {
  const config = parseTrainConfig({ optimizer: "adam", ...params }, { hidden: [], activation: "relu" });
  const opt = createOptimizer(config);
  const init = tf.tensor2d(x0, shape);
  const x = tf.variable(init);
  const out: Float32Array[] = [];
  for (const s of steps) {
    const g = tf.tensor2d(s.g, shape);
    const active = s.active && tf.tensor1d(s.active, "bool");
    opt.apply([x], [g], { lr: params.learning_rate as number, t: s.t, active });
    out.push(x.dataSync() as Float32Array);
    g.dispose();
    active?.dispose();
  }
  opt.dispose();
  x.dispose();
  init.dispose();
  return out;
}

describe("Adam's update in one wasm op (HpoAdam)", () => {
  it("is registered for wasm only", () => {
    expect(tf.getKernel(WASM_ADAM, "wasm")).toBeDefined();
    expect(tf.getKernel(WASM_ADAM, "cpu")).toBeUndefined();
  });

  it("gives the cpu backend's tfjs-op Adam to the bit: odd sizes, a step count per model, inactive models", async () => {
    const rng = createRng(5);
    const values = (n: number, scale: number) => Float32Array.from({ length: n }, () => (rng.next() * 2 - 1) * scale);
    const cases: { shape: [number, number]; params: Record<string, number> }[] = [
      { shape: [1, 1], params: { learning_rate: 0.01 } },
      { shape: [3, 7], params: { learning_rate: 0.001 } },
      { shape: [2, 1030], params: { learning_rate: 0.1, beta1: 0.5, beta2: 0.8, epsilon: 0.1 } },
      {
        shape: [4, 33],
        params: { learning_rate: 0.003, beta1: 0.95, beta2: 0.9999, epsilon: 1e-7 },
      },
    ];
    for (const c of cases) {
      const [K, P] = c.shape;
      const x0 = values(K * P, 1);
      // every model steps, then model 0 sits one out (its t stays behind), then all again
      const steps: Step[] = [
        { g: values(K * P, 0.5), t: new Array(K).fill(1) },
        { g: values(K * P, 0.01), t: new Array(K).fill(2) },
        { g: values(K * P, 2), t: [2, ...new Array(K - 1).fill(3)], active: [false, ...new Array(K - 1).fill(true)] },
        { g: values(K * P, 0.3), t: [3, ...new Array(K - 1).fill(4)] },
      ];
      await tf.setBackend("cpu");
      const want = train(x0, c.shape, steps, c.params);
      await tf.setBackend("wasm");
      const before = tf.memory().numTensors;
      const got = train(x0, c.shape, steps, c.params);
      expect(tf.memory().numTensors).toBe(before);
      got.forEach((g, s) => {
        expect(Array.from(g), `${JSON.stringify(c)}, step ${s + 1}`).toEqual(Array.from(want[s] as Float32Array));
      });
    }
  });
});
