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

  it("equals the cpu backend's matMul, a read transposed or not, on random odd shapes", async () => {
    const rng = createRng(17);
    const int = (lo: number, hi: number) => lo + Math.floor(rng.next() * (hi - lo + 1));
    // m, s, n across the kernel's 4×8 tiles and its 4-column, 1-column and 1-row edges
    const shapes: [number, number, number, number][] = Array.from({ length: 30 }, () => [
      int(1, 3),
      int(1, 13),
      int(1, 40),
      int(1, 21),
    ]);
    // the LeNet dense layer's three products, and s past the kernel's k blocks of 256 with ragged edges
    shapes.push([3, 64, 1568, 128], [3, 1568, 64, 128], [3, 64, 128, 1568], [1, 64, 128, 10], [2, 9, 600, 13]);
    const values = (n: number) => Float32Array.from({ length: n }, () => rng.next() * 2 - 1);
    const data = shapes.map(([K, m, s, n]) => ({ a: values(K * m * s), b: values(K * s * n) }));
    const products = (transposeA: boolean) =>
      shapes.map(([K, m, s, n], i) =>
        tf.tidy(() => {
          const { a, b } = data[i]!;
          // a holds [K, m, s]; transposed, the kernel gets it as [K, s, m]
          const a3 = tf.tensor3d(a, [K, m, s]);
          const b3 = tf.tensor3d(b, [K, s, n]);
          if (tf.getBackend() === "cpu") return tf.matMul(a3, b3).dataSync() as Float32Array;
          const aIn = transposeA ? (tf.transpose(a3, [0, 2, 1]) as tf.Tensor3D) : a3;
          return wasmPackedMatMul(aIn, b3, transposeA).dataSync() as Float32Array;
        }),
      );
    await tf.setBackend("cpu");
    const want = products(false);
    await tf.setBackend("wasm");
    for (const transposeA of [false, true]) {
      products(transposeA).forEach((got, i) => {
        const w = want[i]!;
        let worst = 0;
        for (let j = 0; j < w.length; j++) worst = Math.max(worst, Math.abs(got[j]! - w[j]!) / (1 + Math.abs(w[j]!)));
        expect(worst, `[${shapes[i]}] transposeA ${transposeA}`).toBeLessThan(1e-4);
      });
    }
  });

  it("refuses operands that do not multiply", () => {
    const a = tf.zeros([2, 3, 4]) as tf.Tensor3D;
    const b = tf.zeros([2, 5, 6]) as tf.Tensor3D;
    expect(() => wasmPackedMatMul(a, b)).toThrow(/do not multiply/);
    tf.dispose([a, b]);
  });
});
