import { createRng } from "@hpo/core";
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "./backend.ts";
import { expectCloseToScale, randomValues } from "./testing/kernel-checks.ts";
import { installWasmKernels } from "./wasm-kernels.ts";
import { wasmReluMaxPool2x2 } from "./wasm-pool-kernels.ts";

type Rng = ReturnType<typeof createRng>;
const int = (rng: Rng, lo: number, hi: number) => lo + Math.floor(rng.next() * (hi - lo + 1));

interface Case {
  readonly x: [number, number, number, number];
  readonly filter: [number, number, number, number];
  readonly strides: [number, number];
  readonly pad: "same" | "valid" | number;
}

/** Random conv shapes: batch 1–5, images up to 12×12×4, filters up to 5×5, strides 1–3, every padding kind. */
function randomCases(seed: number, n: number): Case[] {
  const rng = createRng(seed);
  const pads = ["same", "valid", 0, 1, 2] as const;
  const out: Case[] = [];
  while (out.length < n) {
    const pad = pads[int(rng, 0, pads.length - 1)] as Case["pad"];
    const h = int(rng, 1, 12);
    const w = int(rng, 1, 12);
    const padN = typeof pad === "number" ? pad : 0;
    const kh = int(rng, 1, 5);
    const kw = int(rng, 1, 5);
    if (pad !== "same" && (kh > h + 2 * padN || kw > w + 2 * padN)) continue;
    out.push({
      x: [int(rng, 1, 5), h, w, int(rng, 1, 4)],
      filter: [kh, kw, 0, int(rng, 1, 5)],
      strides: [int(rng, 1, 3), int(rng, 1, 3)],
      pad,
    });
  }
  return out.map((c) => ({ ...c, filter: [c.filter[0], c.filter[1], c.x[3], c.filter[3]] }));
}

/** Output shape of a conv case (tfjs's own arithmetic). */
function outShape(c: Case): number[] {
  const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad);
  return info.outShape;
}

/**
 * dx and dfilter of a conv case for the output gradient `dyv`, by the active backend's kernels
 * (called directly: the stock wasm Conv2D forward itself crashes on some explicit paddings with
 * strides > 1, e.g. x [5, 7, 10, 2], filter 5×3, strides [3, 2], pad 1).
 */
function kernelGrads(c: Case, xv: Float32Array, fv: Float32Array, dyv: Float32Array): Float32Array[] {
  return tf.tidy(() => {
    const x = tf.tensor4d(xv, c.x);
    const filter = tf.tensor4d(fv, c.filter);
    const dy = tf.tensor(dyv, outShape(c));
    const attrs = { strides: c.strides, pad: c.pad, dataFormat: "NHWC", dimRoundingMode: undefined };
    const run = (name: string, inputs: tf.NamedTensorMap, extra: Record<string, unknown>) =>
      tf.engine().runKernel(name, inputs, { ...attrs, ...extra } as unknown as tf.NamedAttrMap) as tf.Tensor;
    const dx = run("Conv2DBackpropInput", { dy, filter }, { inputShape: c.x });
    const df = run("Conv2DBackpropFilter", { x, dy }, { filterShape: c.filter });
    return [dx.dataSync() as Float32Array, df.dataSync() as Float32Array];
  });
}

/** Gradients of Σ r·conv2d(x, filter) with respect to x and filter through autodiff, on the active backend. */
function convGrads(c: Case, xv: Float32Array, fv: Float32Array, rv: Float32Array): Float32Array[] {
  return tf.tidy(() => {
    const x = tf.tensor4d(xv, c.x);
    const f = tf.tensor4d(fv, c.filter);
    const r = tf.tensor(rv, outShape(c));
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad), r)),
    )([x, f]);
    return g.map((t) => t.dataSync() as Float32Array);
  });
}

beforeAll(async () => {
  await selectBackend("wasm");
});

afterAll(async () => {
  await tf.setBackend("wasm");
});

describe("wasm convolution and pooling gradient kernels", () => {
  it("registers Conv2DBackpropFilter for wasm and leaves the cpu kernels alone", async () => {
    const cpuFilter = tf.getKernel("Conv2DBackpropFilter", "cpu");
    const cpuInput = tf.getKernel("Conv2DBackpropInput", "cpu");
    expect(tf.getKernel("Conv2DBackpropFilter", "wasm")).toBeDefined();
    installWasmKernels();
    expect(tf.getKernel("Conv2DBackpropFilter", "cpu")).toBe(cpuFilter);
    expect(tf.getKernel("Conv2DBackpropInput", "cpu")).toBe(cpuInput);
    // hpo's own ops exist on wasm only: other backends take the generic path (tfjs ops)
    for (const name of ["HpoReluMaxPool2x2", "HpoPackedMatMul", "HpoAdam", "HpoPackedConv2D"]) {
      expect(tf.getKernel(name, "wasm"), name).toBeDefined();
      expect(tf.getKernel(name, "cpu"), name).toBeUndefined();
    }
  });

  it("equal the cpu backend's kernels on random shapes, strides and paddings", { timeout: 180_000 }, async () => {
    // stride 1 as often as not: those gradients run as XNNPACK convolutions, the rest by im2col
    // (tfjs sizes a numeric padding's output width by the filter's height: keep the cases it can size)
    const stride1 = randomCases(11, 60)
      .map((c) => ({ ...c, strides: [1, 1] as [number, number] }))
      .filter((c) => outShape(c).every((d) => d > 0));
    const cases = [...randomCases(7, 80), ...stride1];
    // the LeNet layers at a small batch, and a 1-image batch
    cases.push(
      { x: [2, 28, 28, 1], filter: [5, 5, 1, 16], strides: [1, 1], pad: "same" },
      { x: [2, 14, 14, 16], filter: [5, 5, 16, 32], strides: [1, 1], pad: "same" },
      { x: [1, 9, 7, 3], filter: [3, 3, 3, 2], strides: [2, 2], pad: "valid" },
    );
    const rng = createRng(3);
    const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
    const inputs = cases.map((c) => ({
      xv: randomValues(rng, size(c.x)),
      fv: randomValues(rng, size(c.filter)),
      dyv: randomValues(rng, size(outShape(c))),
    }));
    await tf.setBackend("cpu");
    const want = cases.map((c, i) => kernelGrads(c, inputs[i]!.xv, inputs[i]!.fv, inputs[i]!.dyv));
    await tf.setBackend("wasm");
    const before = tf.memory().numTensors;
    cases.forEach((c, i) => {
      const got = kernelGrads(c, inputs[i]!.xv, inputs[i]!.fv, inputs[i]!.dyv);
      const what = `x ${c.x} filter ${c.filter} strides ${c.strides} pad ${c.pad}`;
      expectCloseToScale(got[0]!, want[i]![0]!, `dx of ${what}`);
      expectCloseToScale(got[1]!, want[i]![1]!, `dfilter of ${what}`);
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it("equal the cpu backend's dW of stride-1 convs with many channels (the C kernel's blocks)", {
    timeout: 120_000,
  }, async () => {
    // output channels 1–37 reach every block of the direct C kernel (16, 8, 4 channels and
    // single lanes), kernel widths 1–7 its pairs of taps and a lone last tap; every third case is
    // 5×5 on channel counts divisible by 4 (the Winograd kernel), odd sizes leaving partial tiles
    const rng = createRng(23);
    const pads = ["same", "valid", 0, 1, 2] as const;
    const cases: Case[] = [];
    while (cases.length < 45) {
      const winograd = cases.length % 3 === 0;
      const k = winograd ? 5 : ([1, 3, 5, int(rng, 1, 7)][cases.length % 4] as number);
      const kw = winograd || rng.next() < 0.7 ? k : int(rng, 1, 7);
      const pad = pads[int(rng, 0, pads.length - 1)] as Case["pad"];
      const c: Case = {
        x: [
          [1, 3, 5][Math.floor(cases.length / 3) % 3] as number,
          int(rng, 1, 13),
          int(rng, 1, 13),
          winograd ? 4 * int(rng, 1, 4) : int(rng, 1, 20),
        ],
        filter: [k, kw, 0, winograd ? 4 * int(rng, 1, 9) : int(rng, 1, 37)],
        strides: [1, 1],
        pad,
      };
      const full: Case = { ...c, filter: [k, kw, c.x[3], c.filter[3]] };
      if (outShape(full).every((d) => d > 0)) cases.push(full);
    }
    const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
    const inputs = cases.map((c) => ({
      xv: randomValues(rng, size(c.x)),
      fv: randomValues(rng, size(c.filter)),
      dyv: randomValues(rng, size(outShape(c))),
    }));
    await tf.setBackend("cpu");
    const want = cases.map((c, i) => kernelGrads(c, inputs[i]!.xv, inputs[i]!.fv, inputs[i]!.dyv));
    await tf.setBackend("wasm");
    cases.forEach((c, i) => {
      const got = kernelGrads(c, inputs[i]!.xv, inputs[i]!.fv, inputs[i]!.dyv);
      expectCloseToScale(got[1]!, want[i]![1]!, `dfilter of x ${c.x} filter ${c.filter} pad ${c.pad}`);
    });
  });

  it("give conv2d's autodiff gradients on wasm equal to cpu's (same and valid padding)", async () => {
    const cases = randomCases(29, 40).filter((c) => typeof c.pad === "string");
    expect(cases.length).toBeGreaterThan(10);
    const rng = createRng(4);
    const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
    const inputs = cases.map((c) => ({
      xv: randomValues(rng, size(c.x)),
      fv: randomValues(rng, size(c.filter)),
      rv: randomValues(rng, size(outShape(c))),
    }));
    await tf.setBackend("cpu");
    const want = cases.map((c, i) => convGrads(c, inputs[i]!.xv, inputs[i]!.fv, inputs[i]!.rv));
    await tf.setBackend("wasm");
    cases.forEach((c, i) => {
      const got = convGrads(c, inputs[i]!.xv, inputs[i]!.fv, inputs[i]!.rv);
      const what = `x ${c.x} filter ${c.filter} strides ${c.strides} pad ${c.pad}`;
      expectCloseToScale(got[0]!, want[i]![0]!, `dx of ${what}`);
      expectCloseToScale(got[1]!, want[i]![1]!, `dfilter of ${what}`);
    });
  });

  it("equal the cpu backend's max and average pooling gradients, negative inputs included", async () => {
    const rng = createRng(19);
    const cases: {
      x: [number, number, number, number];
      size: number;
      stride: number;
      pad: "same" | "valid";
      ties?: boolean;
    }[] = [];
    for (let i = 0; i < 30; i++) {
      const size = int(rng, 1, 3);
      const pad = rng.next() < 0.5 ? "same" : "valid";
      const h = int(rng, size, 10);
      cases.push({ x: [int(rng, 1, 4), h, int(rng, size, 10), int(rng, 1, 4)], size, stride: int(rng, 1, 3), pad });
    }
    // 2×2 windows at stride 2 (a kernel of their own), odd and even sizes, ties in half the windows
    for (let i = 0; i < 16; i++) {
      const pad = i % 2 === 0 ? "same" : "valid";
      const x: [number, number, number, number] = [int(rng, 1, 4), int(rng, 2, 9), int(rng, 2, 9), int(rng, 1, 9)];
      cases.push({ x, size: 2, stride: 2, pad, ties: i % 4 < 2 });
    }
    const xs = cases.map((c) => {
      const v = randomValues(
        rng,
        c.x.reduce((a, b) => a * b, 1),
      );
      return c.ties ? v.map((e) => Math.round(e * 2) / 2) : v;
    });
    const grads = (i: number) =>
      tf.tidy(() => {
        const c = cases[i]!;
        const x = tf.tensor4d(xs[i]!, c.x);
        const gm = tf.grad((a: tf.Tensor) =>
          tf.sum(tf.square(tf.add(tf.maxPool(a as tf.Tensor4D, c.size, c.stride, c.pad), 3))),
        )(x);
        const ga = tf.grad((a: tf.Tensor) => tf.sum(tf.square(tf.avgPool(a as tf.Tensor4D, c.size, c.stride, c.pad))))(
          x,
        );
        return [gm.dataSync() as Float32Array, ga.dataSync() as Float32Array];
      });
    await tf.setBackend("cpu");
    const want = cases.map((_, i) => grads(i));
    await tf.setBackend("wasm");
    cases.forEach((c, i) => {
      const got = grads(i);
      expectCloseToScale(got[0]!, want[i]![0]!, `maxPool grad of ${JSON.stringify(c)}`);
      expectCloseToScale(got[1]!, want[i]![1]!, `avgPool grad of ${JSON.stringify(c)}`);
    });
  });

  it("fuse ReLU into 2×2 max pooling: relu then maxPool's value and gradient on the cpu backend", async () => {
    const rng = createRng(23);
    // odd and even sizes, 1–9 channels (four at a time in C, then one by one), ties and zeros in half
    const cases = Array.from({ length: 40 }, (_, i) => ({
      x: [int(rng, 1, 4), int(rng, 2, 11), int(rng, 2, 11), int(rng, 1, 9)] as [number, number, number, number],
      ties: i % 2 === 0,
    }));
    cases.push({ x: [3, 28, 28, 16], ties: false }, { x: [2, 14, 14, 32], ties: true });
    const xs = cases.map((c) => {
      const v = randomValues(
        rng,
        c.x.reduce((a, b) => a * b, 1),
      );
      return c.ties ? v.map((e) => Math.round(e * 2) / 2) : v;
    });
    const rs = cases.map((c) => randomValues(rng, c.x[0] * (c.x[1] >> 1) * (c.x[2] >> 1) * c.x[3]));
    // Σ r·pool(relu(x)) and its gradient; `fused` runs the one wasm op instead
    const run = (i: number, fused: boolean) =>
      tf.tidy(() => {
        const x = tf.tensor4d(xs[i]!, cases[i]!.x);
        const pool = (a: tf.Tensor) =>
          fused ? wasmReluMaxPool2x2(a as tf.Tensor4D) : tf.maxPool(tf.relu(a) as tf.Tensor4D, 2, 2, "valid");
        const r = tf.tensor(rs[i]!, pool(x).shape);
        const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(pool(a), r)))(x);
        return [pool(x).dataSync() as Float32Array, g.dataSync() as Float32Array];
      });
    await tf.setBackend("cpu");
    const want = cases.map((_, i) => run(i, false));
    await tf.setBackend("wasm");
    const before = tf.memory().numTensors;
    cases.forEach((c, i) => {
      const got = run(i, true);
      expectCloseToScale(got[0]!, want[i]![0]!, `relu max pool of ${JSON.stringify(c)}`);
      expectCloseToScale(got[1]!, want[i]![1]!, `its gradient, ${JSON.stringify(c)}`);
    });
    expect(tf.memory().numTensors).toBe(before);
  });
});
