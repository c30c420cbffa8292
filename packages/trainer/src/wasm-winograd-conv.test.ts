import { createRng } from "@hpo/core";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "./backend.ts";
import { expectCloseToScale, randomValues } from "./testing/kernel-checks.ts";
import { wasmPackedConv2d } from "./wasm-packed-conv.ts";
import { winogradConvOf } from "./wasm-winograd-conv.ts";

type Rng = ReturnType<typeof createRng>;
const int = (rng: Rng, lo: number, hi: number) => lo + Math.floor(rng.next() * (hi - lo + 1));
const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

interface Case {
  /** Models in the pack (the forward pass runs through HpoPackedConv2D). */
  readonly k: number;
  /** One model's input. */
  readonly x: [number, number, number, number];
  readonly filter: [number, number, number, number];
  readonly pad: "same" | "valid" | number;
}

/**
 * Stride-1 3×3 and 5×5 convs the Winograd kernel takes: batch 1–5, images 1–17 (odd sizes and
 * images smaller than a tile), 4–19 channels in and 1–19 out, same / valid / explicit paddings
 * 0–6 (past K − 1 too: the input gradient then starts inside dy).
 */
function randomCases(seed: number, n: number): Case[] {
  const rng = createRng(seed);
  const pads = ["same", "valid", 0, 1, 2, 4, 6] as const;
  const out: Case[] = [];
  while (out.length < n) {
    const r = rng.next() < 0.5 ? 3 : 5;
    const pad = pads[int(rng, 0, pads.length - 1)] as Case["pad"];
    const c: Case = {
      k: int(rng, 1, 2),
      x: [[1, 1, 2, 3, 5][int(rng, 0, 4)] as number, int(rng, 1, 17), int(rng, 1, 17), int(rng, 4, 19)],
      filter: [r, r, 0, int(rng, 1, 19)],
      pad,
    };
    const filter: Case["filter"] = [r, r, c.x[3], c.filter[3]];
    const info = tf.backend_util.computeConv2DInfo(c.x, filter, 1, 1, pad);
    if (info.outHeight < 1 || info.outWidth < 1) continue;
    out.push({ ...c, filter });
  }
  return out;
}

const infoOf = (c: Case) => tf.backend_util.computeConv2DInfo(c.x, c.filter, 1, 1, c.pad);

/** The forward pass (K models' packed layer with bias) and dx by the active backend's kernels. */
function forwardAndDx(c: Case, v: Float32Array[]): Float32Array[] {
  const info = infoOf(c);
  return tf.tidy(() => {
    const [xs, fs, bs, dys] = v as [Float32Array, Float32Array, Float32Array, Float32Array];
    const x = tf.tensor4d(xs, [c.k * c.x[0], ...c.x.slice(1)] as [number, number, number, number]);
    const filters = tf.tensor(fs, [c.k, ...c.filter]);
    const bias = tf.tensor2d(bs, [c.k, c.filter[3]]);
    let y: tf.Tensor;
    if (tf.getBackend() === "wasm" && typeof c.pad === "string") y = wasmPackedConv2d(x, filters, bias, 1, c.pad);
    else {
      const xk = c.k === 1 ? [x] : tf.split(x, c.k, 0);
      const ys = xk.map((part, m) => {
        const f = tf.reshape(tf.slice(filters, [m, 0, 0, 0, 0], [1, ...c.filter]), c.filter) as tf.Tensor4D;
        const conv = tf.conv2d(part as tf.Tensor4D, f, 1, c.pad);
        return tf.add(conv, tf.reshape(tf.slice(bias, [m, 0], [1, -1]), [-1]));
      });
      y = c.k === 1 ? (ys[0] as tf.Tensor) : tf.concat(ys, 0);
    }
    const dy = tf.tensor4d(dys, info.outShape as [number, number, number, number]);
    const f0 = tf.reshape(tf.slice(filters, [0, 0, 0, 0, 0], [1, ...c.filter]), c.filter);
    const dx = tf.engine().runKernel(
      "Conv2DBackpropInput",
      { dy, filter: f0 } as unknown as tf.NamedTensorMap,
      {
        strides: [1, 1],
        pad: c.pad,
        dataFormat: "NHWC",
        inputShape: c.x,
      } as unknown as tf.NamedAttrMap,
    ) as tf.Tensor;
    return [y.dataSync() as Float32Array, dx.dataSync() as Float32Array];
  });
}

beforeAll(async () => {
  await selectBackend("wasm");
});

describe("wasm Winograd convolutions", () => {
  it("equal the cpu backend's forward pass (with bias) and input gradient", { timeout: 180_000 }, async () => {
    const cases = randomCases(17, 120);
    // LeNet's second layer at batch 3, and 3×3 on a 1-image batch
    cases.push(
      { k: 3, x: [3, 14, 14, 16], filter: [5, 5, 16, 32], pad: "same" },
      { k: 1, x: [1, 9, 11, 8], filter: [3, 3, 8, 6], pad: "same" },
    );
    for (const c of cases) {
      const what = JSON.stringify(c);
      // every case runs through the kernel: the forward pass where the layer offers its padding
      if (typeof c.pad === "string") expect(winogradConvOf(infoOf(c), "output"), what).toBeDefined();
      if (c.filter[3] >= 4) expect(winogradConvOf(infoOf(c), "input"), what).toBeDefined();
    }
    const rng = createRng(5);
    const inputs = cases.map((c) => [
      randomValues(rng, c.k * size(c.x)),
      randomValues(rng, c.k * size(c.filter)),
      randomValues(rng, c.k * c.filter[3]),
      randomValues(rng, size(infoOf(c).outShape)),
    ]);
    await tf.setBackend("cpu");
    let want: Float32Array[][];
    try {
      want = cases.map((c, i) => forwardAndDx(c, inputs[i]!));
    } finally {
      await tf.setBackend("wasm");
    }
    const before = tf.memory().numTensors;
    cases.forEach((c, i) => {
      const got = forwardAndDx(c, inputs[i]!);
      const what = JSON.stringify(c);
      expectCloseToScale(got[0]!, want[i]![0]!, `forward of ${what}`);
      expectCloseToScale(got[1]!, want[i]![1]!, `dx of ${what}`);
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it("leaves strided, dilated, non-square and single-channel convolutions to the other kernels", () => {
    const info = (x: number[], f: number[], strides = 1, dilations = 1) =>
      tf.backend_util.computeConv2DInfo(
        x as [number, number, number, number],
        f as [number, number, number, number],
        strides,
        dilations,
        "same",
      );
    expect(winogradConvOf(info([2, 9, 9, 8], [5, 5, 8, 8], 2), "output")).toBeUndefined();
    expect(winogradConvOf(info([2, 9, 9, 8], [3, 3, 8, 8], 1, 2), "output")).toBeUndefined();
    expect(winogradConvOf(info([2, 9, 9, 8], [3, 5, 8, 8]), "output")).toBeUndefined();
    expect(winogradConvOf(info([2, 9, 9, 8], [7, 7, 8, 8]), "output")).toBeUndefined();
    expect(winogradConvOf(info([2, 28, 28, 1], [5, 5, 1, 16]), "output")).toBeUndefined();
    expect(winogradConvOf(info([2, 28, 28, 1], [5, 5, 1, 16]), "input")).toBeDefined();
    expect(winogradConvOf(info([2, 28, 28, 16], [5, 5, 16, 2]), "input")).toBeUndefined();
  });
});
