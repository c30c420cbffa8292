import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "./backend.ts";
import { packedMatMul, packedMatMulFirst } from "./packed-matmul.ts";

beforeAll(async () => {
  await selectBackend("wasm");
});

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  const x = a.dataSync();
  const y = b.dataSync();
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs((x[i] as number) - (y[i] as number)));
  return m;
}

describe("packedMatMul", () => {
  it("matches tf.matMul in value and in both gradients, without leaking", () => {
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const x = tf.randomNormal([3, 5, 4], 0, 1, "float32", 1) as tf.Tensor3D;
      const w = tf.randomNormal([3, 4, 6], 0, 1, "float32", 2) as tf.Tensor3D;
      const dy = tf.randomNormal([3, 5, 6], 0, 1, "float32", 3);
      expect(maxDiff(packedMatMul(x, w), tf.matMul(x, w))).toBeLessThan(1e-5);
      const loss = (f: (a: tf.Tensor3D, b: tf.Tensor3D) => tf.Tensor) => (a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(f(a as tf.Tensor3D, b as tf.Tensor3D), dy));
      const [dxP, dwP] = tf.grads(loss(packedMatMul))([x, w]);
      const [dxR, dwR] = tf.grads(loss((a, b) => tf.matMul(a, b)))([x, w]);
      expect(maxDiff(dxP as tf.Tensor, dxR as tf.Tensor)).toBeLessThan(1e-4);
      expect(maxDiff(dwP as tf.Tensor, dwR as tf.Tensor)).toBeLessThan(1e-4);
      const [, dwFirst] = tf.grads(loss(packedMatMulFirst))([x, w]);
      expect(maxDiff(dwFirst as tf.Tensor, dwR as tf.Tensor)).toBeLessThan(1e-4);
    });
    expect(tf.memory().numTensors).toBe(before);
  });
});
