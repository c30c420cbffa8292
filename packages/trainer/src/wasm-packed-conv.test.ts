import { createRng } from "@hpo/core";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "./backend.ts";
import { expectCloseToScale, randomValues } from "./testing/kernel-checks.ts";
import { installWasmPackedConv, wasmPackedConv2d } from "./wasm-packed-conv.ts";

type Rng = ReturnType<typeof createRng>;
const int = (rng: Rng, lo: number, hi: number) => lo + Math.floor(rng.next() * (hi - lo + 1));
const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

interface Case {
  readonly k: number;
  readonly x: [number, number, number, number];
  readonly filter: [number, number, number, number, number];
  readonly strides: [number, number];
  readonly pad: "same" | "valid";
}

/** K models' conv layers: K 1–3, rows 1–4, images up to 10×10×3, filters up to 5×5×4, strides 1–2. */
function randomCases(seed: number, n: number): Case[] {
  const rng = createRng(seed);
  const out: Case[] = [];
  while (out.length < n) {
    const pad = rng.next() < 0.5 ? "same" : "valid";
    const [h, w, kh, kw] = [int(rng, 1, 10), int(rng, 1, 10), int(rng, 1, 5), int(rng, 1, 5)];
    if (pad === "valid" && (kh > h || kw > w)) continue;
    const k = int(rng, 1, 3);
    const c = int(rng, 1, 3);
    out.push({
      k,
      x: [k * int(rng, 1, 4), h, w, c],
      filter: [k, kh, kw, c, int(rng, 1, 4)],
      strides: [int(rng, 1, 2), int(rng, 1, 2)],
      pad,
    });
  }
  return out;
}

/** Σ r·layer(x, filter, bias) and its gradients in x, filter and bias: [value, dx, dfilter, dbias]. */
function run(c: Case, layer: (x: tf.Tensor4D, f: tf.Tensor, b: tf.Tensor) => tf.Tensor, v: Float32Array[]) {
  return tf.tidy(() => {
    const x = tf.tensor4d(v[0]!, c.x);
    const f = tf.tensor(v[1]!, c.filter);
    const b = tf.tensor2d(v[2]!, [c.k, c.filter[4]]);
    const y = layer(x, f, b);
    const r = tf.tensor(v[3]!.subarray(0, size(y.shape)), y.shape);
    const { value, grads } = tf.valueAndGrads((a: tf.Tensor, g: tf.Tensor, e: tf.Tensor) =>
      tf.sum(tf.mul(layer(a as tf.Tensor4D, g, e), r)),
    )([x, f, b]);
    return [y, ...grads].map((t) => t.dataSync() as Float32Array).concat([value.dataSync() as Float32Array]);
  });
}

/** The layer as the generic path computes it: split, conv2d per model, concat, broadcast bias add. */
function reference(c: Case) {
  return (x: tf.Tensor4D, f: tf.Tensor, b: tf.Tensor) => {
    // (tfjs's split of one part has no gradient: LayerNet does not split a pack of one either)
    const xs = c.k === 1 ? [x] : (tf.split(x, c.k, 0) as tf.Tensor4D[]);
    const fs = (c.k === 1 ? [f] : tf.split(f, c.k, 0)).map((t) => tf.squeeze(t, [0]) as tf.Tensor4D);
    const ys = xs.map((xk, k) =>
      tf.add(tf.conv2d(xk, fs[k]!, c.strides, c.pad), tf.reshape(tf.slice(b, [k, 0], [1, -1]), [-1])),
    );
    return c.k === 1 ? (ys[0] as tf.Tensor) : tf.concat(ys, 0);
  };
}

/**
 * Expects the packed layer on wasm to give the cpu backend's reference for every case (value, dx,
 * dfilter, dbias and the loss, on random inputs from `rng`), leaking no tensor.
 */
async function expectCpuResults(cases: readonly Case[], rng: Rng): Promise<void> {
  const inputs = cases.map((c) => [
    randomValues(rng, size(c.x)),
    randomValues(rng, size(c.filter)),
    randomValues(rng, c.k * c.filter[4]),
    randomValues(rng, size(c.x) * c.filter[4]),
  ]);
  await tf.setBackend("cpu");
  let want: Float32Array[][];
  try {
    want = cases.map((c, i) => run(c, reference(c), inputs[i]!));
  } finally {
    await tf.setBackend("wasm");
  }
  const before = tf.memory().numTensors;
  cases.forEach((c, i) => {
    const got = run(c, (x, f, b) => wasmPackedConv2d(x, f, b, c.strides, c.pad), inputs[i]!);
    ["output", "dx", "dfilter", "dbias", "loss"].forEach((name, j) => {
      expectCloseToScale(got[j]!, want[i]?.[j] as Float32Array, `${name} of ${JSON.stringify(c)}`);
    });
  });
  expect(tf.memory().numTensors).toBe(before);
}

beforeAll(async () => {
  await selectBackend("wasm");
});

describe("wasm packed conv layer (HpoPackedConv2D)", () => {
  it("is installed by selectBackend for wasm only", () => {
    expect(installWasmPackedConv()).toBe(true);
    expect(tf.getKernel("HpoPackedConv2D", "wasm")).toBeDefined();
    expect(tf.getKernel("HpoPackedConv2D", "cpu")).toBeUndefined();
  });

  it("equals the cpu backend's split / conv2d / concat / bias add, and its gradients", {
    timeout: 120_000,
  }, async () => {
    const cases = randomCases(5, 60);
    // LeNet's two layers for 3 models at a small batch
    // and Winograd's (stride 1, 3×3 or 5×5, ≥ 4 channels in) at odd sizes, forward and dx
    cases.push(
      { k: 3, x: [6, 28, 28, 1], filter: [3, 5, 5, 1, 16], strides: [1, 1], pad: "same" },
      { k: 3, x: [6, 14, 14, 16], filter: [3, 5, 5, 16, 32], strides: [1, 1], pad: "same" },
      { k: 2, x: [6, 7, 9, 5], filter: [2, 3, 3, 5, 7], strides: [1, 1], pad: "same" },
      { k: 3, x: [3, 11, 6, 4], filter: [3, 5, 5, 4, 9], strides: [1, 1], pad: "valid" },
      { k: 1, x: [1, 5, 13, 7], filter: [1, 5, 5, 7, 4], strides: [1, 1], pad: "same" },
    );
    await expectCpuResults(cases, createRng(9));
  });

  it("equals the cpu backend on single-channel stride-1 layers (the C forward's blocks)", {
    timeout: 120_000,
  }, async () => {
    // output channels 1–37 reach every block of the C kernel (8, 4 channels, single lanes) and
    // widths 1–13 its runs of 4 columns and their remainders; kernels 1×1 to 7×7
    const rng = createRng(31);
    const cases: Case[] = [];
    while (cases.length < 30) {
      const pad = cases.length % 2 ? "same" : "valid";
      const [h, w] = [int(rng, 1, 13), int(rng, 1, 13)];
      const kh = [1, 3, 5, int(rng, 1, 7)][cases.length % 4] as number;
      const kw = rng.next() < 0.7 ? kh : int(rng, 1, 7);
      if (pad === "valid" && (kh > h || kw > w)) continue;
      const k = int(rng, 1, 3);
      const rows = [1, 3, 5][cases.length % 3] as number;
      cases.push({ k, x: [k * rows, h, w, 1], filter: [k, kh, kw, 1, int(rng, 1, 37)], strides: [1, 1], pad });
    }
    await expectCpuResults(cases, rng);
  });

  it("computes only the gradients asked for (no input gradient for a first layer)", () => {
    const x = tf.randomNormal([4, 6, 6, 2]) as tf.Tensor4D;
    const f = tf.variable(tf.randomNormal([2, 3, 3, 2, 3]));
    const b = tf.variable(tf.zeros([2, 3]));
    const calls: string[] = [];
    const profile = tf.profile(() => {
      tf.variableGrads(() => tf.sum(wasmPackedConv2d(x, f, b, 1, "same")) as tf.Scalar, [f, b]);
    });
    return profile.then((p) => {
      for (const k of p.kernels) calls.push(k.name);
      expect(calls).toContain("HpoPackedConv2DBackpropFilter");
      expect(calls).toContain("HpoPackedConv2DBiasGrad");
      expect(calls).not.toContain("HpoPackedConv2DBackpropInput");
      tf.dispose([x, f, b]);
    });
  });
});
