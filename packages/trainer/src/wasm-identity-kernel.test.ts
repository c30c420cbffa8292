import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "./backend.ts";
import { installWasmIdentityKernel } from "./wasm-identity-kernel.ts";

beforeAll(async () => {
  await selectBackend("wasm");
});

describe("wasm Identity kernel", () => {
  it("is installed by selectBackend for wasm and leaves the cpu kernel alone", () => {
    const cpu = tf.getKernel("Identity", "cpu");
    expect(tf.getBackend()).toBe("wasm");
    expect(installWasmIdentityKernel()).toBe(true);
    expect(tf.getKernel("Identity", "cpu")).toBe(cpu);
  });

  it("clones without copying: no new data buffer, and the clone outlives its source", () => {
    const x = tf.tensor2d([1, -2, 3, 4.5, 0, 6], [2, 3]);
    const before = tf.memory().numDataBuffers;
    const y = tf.clone(x);
    expect(tf.memory().numDataBuffers).toBe(before);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, -2, 3, 4.5, 0, 6]);
    expect(y.shape).toEqual([2, 3]);
    y.dispose();
    expect(tf.memory().numDataBuffers).toBe(before - 1);
  });

  it("keeps a variable's earlier clone when the variable is assigned", () => {
    const v = tf.variable(tf.tensor1d([1, 2, 3]));
    const kept = tf.clone(v);
    v.assign(tf.tensor1d([7, 8, 9]));
    expect(Array.from(kept.dataSync())).toEqual([1, 2, 3]);
    expect(Array.from(v.dataSync())).toEqual([7, 8, 9]);
    kept.dispose();
    v.dispose();
  });

  it("clones int32 and bool tensors", () => {
    const i = tf.tensor1d([1, 2, 3], "int32");
    const b = tf.tensor1d([1, 0, 1], "bool");
    const [ci, cb] = [tf.clone(i), tf.clone(b)];
    i.dispose();
    b.dispose();
    expect(Array.from(ci.dataSync())).toEqual([1, 2, 3]);
    expect(ci.dtype).toBe("int32");
    expect(Array.from(cb.dataSync())).toEqual([1, 0, 1]);
    expect(cb.dtype).toBe("bool");
    ci.dispose();
    cb.dispose();
  });
});
