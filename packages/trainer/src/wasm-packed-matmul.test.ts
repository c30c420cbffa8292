import { createRng } from "@hpo/core";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "./backend.ts";
import { PACKED_MATMUL, wasmPackedMatMul } from "./wasm-packed-matmul.ts";

beforeAll(async () => {
  await selectBackend("wasm");
});

const random = (rng: ReturnType<typeof createRng>, shape: [number, number, number]) =>
  tf.tensor3d(
    Float32Array.from({ length: shape[0] * shape[1] * shape[2] }, () => rng.next() * 2 - 1),
    shape,
  );

describe("HpoPackedMatMul (wasm)", () => {
  it("is installed by selectBackend for wasm", () => {
    expect(tf.getKernel(PACKED_MATMUL, "wasm")).toBeDefined();
  });

  it("equals K separate tf.matMul products to the bit, for the trainer's shapes and odd ones", () => {
    const rng = createRng(11);
    const shapes: [number, number, number, number][] = [
      [5, 32, 64, 128],
      [5, 256, 128, 64],
      [5, 64, 32, 10],
      [3, 1, 7, 1],
      [2, 9, 1, 5],
      [4, 17, 33, 3],
    ];
    for (const [K, m, s, n] of shapes) {
      const a = random(rng, [K, m, s]);
      const b = random(rng, [K, s, n]);
      const got = wasmPackedMatMul(a, b);
      expect(got.shape).toEqual([K, m, n]);
      const want = tf.concat(
        Array.from({ length: K }, (_, k) =>
          tf.matMul(tf.slice(a, [k, 0, 0], [1, m, s]), tf.slice(b, [k, 0, 0], [1, s, n])),
        ),
        0,
      );
      expect(Array.from(got.dataSync())).toEqual(Array.from(want.dataSync()));
      tf.dispose([a, b, got, want]);
    }
  });

  it("reads operands that are views of other tensors (reshape) and leaves no tensor behind", () => {
    const rng = createRng(5);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const flat = random(rng, [1, 4 * 6, 8]);
      const a = tf.reshape(flat, [4, 6, 8]) as tf.Tensor3D;
      const b = random(rng, [4, 8, 3]);
      const got = wasmPackedMatMul(a, b);
      const want = tf.stack(Array.from({ length: 4 }, (_, k) => tf.matMul(tf.gather(a, k), tf.gather(b, k))));
      expect(Array.from(got.dataSync())).toEqual(Array.from(want.dataSync()));
    });
    // many products in a row: views are released (no growth in tfjs tensors)
    const a = random(rng, [5, 32, 64]);
    const b = random(rng, [5, 64, 128]);
    for (let i = 0; i < 200; i++) tf.tidy(() => wasmPackedMatMul(a, b).dispose());
    tf.dispose([a, b]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("refuses operands that do not multiply", () => {
    const a = tf.zeros([2, 3, 4]) as tf.Tensor3D;
    const b = tf.zeros([2, 5, 6]) as tf.Tensor3D;
    expect(() => wasmPackedMatMul(a, b)).toThrow(/do not multiply/);
    tf.dispose([a, b]);
  });
});
