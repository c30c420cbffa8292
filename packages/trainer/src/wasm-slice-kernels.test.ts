import { createRng } from "@hpo/core";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "./backend.ts";
import { installWasmSliceKernels } from "./wasm-slice-kernels.ts";

beforeAll(async () => {
  await selectBackend("wasm");
});

/** Reference slice computed in JS from the full values. */
function expected(values: Float32Array, shape: number[], begin: number[], size: number[]): number[] {
  const out: number[] = [];
  const strides = shape.map((_, j) => shape.slice(j + 1).reduce((a, b) => a * b, 1));
  const walk = (axis: number, offset: number) => {
    if (axis === shape.length) {
      out.push(values[offset] as number);
      return;
    }
    for (let i = begin[axis] as number; i < (begin[axis] as number) + (size[axis] as number); i++)
      walk(axis + 1, offset + i * (strides[axis] as number));
  };
  walk(0, 0);
  return out;
}

describe("wasm heap slice kernels", () => {
  it("is installed by selectBackend for wasm", () => {
    expect(tf.getBackend()).toBe("wasm");
    expect(installWasmSliceKernels()).toBe(true);
  });

  it("slice gives the same values as a reference for random shapes and windows", () => {
    const rng = createRng(3);
    for (let trial = 0; trial < 60; trial++) {
      const rank = rng.int(1, 4);
      const shape = Array.from({ length: rank }, () => rng.int(1, 6));
      const begin = shape.map((d) => rng.int(0, d - 1));
      const size = shape.map((d, j) => rng.int(0, d - (begin[j] as number)));
      const values = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.next());
      const x = tf.tensor(values, shape);
      const s = tf.slice(x, begin, size);
      expect(s.shape).toEqual(size);
      expect(Array.from(s.dataSync())).toEqual(expected(values, shape, begin, size));
      x.dispose();
      s.dispose();
    }
  });

  it("split along each axis reassembles the source", () => {
    const values = Float32Array.from({ length: 5 * 6 * 7 }, (_, i) => i);
    const x = tf.tensor3d(values, [5, 6, 7]);
    for (const [axis, sizes] of [
      [0, [1, 1, 3]],
      [1, [2, 4]],
      [2, [3, 1, 3]],
    ] as const) {
      const parts = tf.split(x, [...sizes], axis);
      const back = tf.concat(parts, axis);
      expect(Array.from(back.dataSync())).toEqual(Array.from(values));
      for (const p of [...parts, back]) p.dispose();
    }
    x.dispose();
  });

  it("int32 and bool slices work too", () => {
    const i = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3], "int32");
    const s = tf.slice(i, [0, 1], [2, 2]);
    expect(Array.from(s.dataSync())).toEqual([2, 3, 5, 6]);
    const b = tf.tensor1d([1, 0, 1, 1], "bool");
    const sb = tf.slice(b, [1], [2]);
    expect(Array.from(sb.dataSync())).toEqual([0, 1]);
    for (const t of [i, s, b, sb]) t.dispose();
  });
});
