import { createRng } from "@hpo/core";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "./backend.ts";

beforeAll(async () => {
  await selectBackend("wasm");
});

describe("HpoPackedConv2DBiasGrad (wasm, kernels/bias-grad.c)", () => {
  it("sums each model's dy per channel in float64, rounded once: the same floats as a float64 JS sum", () => {
    const rng = createRng(31);
    const int = (lo: number, hi: number) => lo + Math.floor(rng.next() * (hi - lo + 1));
    // channel counts around the kernel's blocks of 16 and its pairs, 1–3 models
    for (const f of [1, 2, 3, 7, 15, 16, 17, 18, 31, 32, 33, 48]) {
      const [k, n, h, w] = [int(1, 3), int(1, 4), int(1, 9), int(1, 9)];
      const dyv = Float32Array.from({ length: k * n * h * w * f }, () => (rng.next() * 2 - 1) * 100);
      const got = tf.tidy(() => {
        const dy = tf.tensor4d(dyv, [k * n, h, w, f]);
        const attrs = { k, strides: [1, 1], pad: "same" } as unknown as tf.NamedAttrMap;
        return tf.engine().runKernel("HpoPackedConv2DBiasGrad", { dy }, attrs) as tf.Tensor;
      });
      expect(got.shape).toEqual([k, f]);
      const want = new Float32Array(k * f);
      const rows = n * h * w;
      for (let m = 0; m < k; m++)
        for (let c = 0; c < f; c++) {
          let sum = 0;
          for (let r = 0; r < rows; r++) sum += dyv[(m * rows + r) * f + c] as number;
          want[m * f + c] = sum;
        }
      expect(Array.from(got.dataSync()), `k ${k}, rows ${rows}, f ${f}`).toEqual(Array.from(want));
      got.dispose();
    }
  });
});
