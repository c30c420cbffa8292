import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "./backend.ts";
import { DropoutStream } from "./dropout.ts";
import { Mlp } from "./model.ts";
import { parseTrainConfig } from "./params.ts";

beforeAll(async () => {
  await selectBackend("cpu");
});

describe("inverted dropout", () => {
  it("DropoutStream: drops with probability p (to 1/65536), scales the rest by 1/(1−p), reproducible from the seed", () => {
    for (const [seed, rate] of [
      [1, 0.2],
      [0xfffffff3, 0.5],
      [42, 0.05],
    ] as const) {
      const a = new DropoutStream(seed);
      const b = new DropoutStream(seed);
      const out = new Float32Array(200_003).fill(-1);
      a.fill(out, 3, 200_000, rate);
      expect(Array.from(out.subarray(0, 3))).toEqual([-1, -1, -1]);
      const mask = out.subarray(3);
      expect(mask.filter((v) => v === 0).length / mask.length).toBeCloseTo(rate, 2);
      expect(new Set(mask)).toEqual(new Set([0, Math.fround(1 / (1 - rate))]));
      // Same seed, same calls (odd sizes included): same masks; the next call draws afresh.
      const again = new Float32Array(200_000);
      b.fill(again, 0, 7, rate);
      b.fill(again, 7, 200_000 - 7, rate);
      const c = new DropoutStream(seed);
      const first = new Float32Array(200_000);
      c.fill(first, 0, 7, rate);
      c.fill(first, 7, 200_000 - 7, rate);
      expect(Array.from(again)).toEqual(Array.from(first));
      const next = new Float32Array(1000);
      c.fill(next, 0, 1000, rate);
      expect(Array.from(next)).not.toEqual(Array.from(first.subarray(0, 1000)));
    }
  });

  it("draws a fresh mask each step (never reused), reproducible from the seed", () => {
    const config = parseTrainConfig({ dropout: 0.5 }, { hidden: [16], activation: "relu" });
    const a = new Mlp(config, 4, 3, [7]);
    const b = new Mlp(config, 4, 3, [7]);
    const pack = new Mlp(config, 4, 3, [9, 7]);
    const [m1] = a.drawDropoutMasks(8, [8]);
    const [m2] = a.drawDropoutMasks(8, [8]);
    const [n1] = b.drawDropoutMasks(8, [8]);
    const [p1] = pack.drawDropoutMasks(8, [8, 8]);
    expect(Array.from(m1!.dataSync())).not.toEqual(Array.from(m2!.dataSync()));
    expect(Array.from(m1!.dataSync())).toEqual(Array.from(n1!.dataSync()));
    // In a pack, model k draws exactly what it would draw alone.
    expect(Array.from(p1!.dataSync().slice(8 * 16))).toEqual(Array.from(m1!.dataSync()));
    // Padding rows (past a model's real rows) are masked out.
    const [padded] = b.drawDropoutMasks(8, [5]);
    expect(Array.from(padded!.dataSync().slice(5 * 16))).toEqual(new Array(3 * 16).fill(0));
    for (const t of [m1, m2, n1, p1, padded]) t?.dispose();
    pack.dispose();
    a.dispose();
    b.dispose();
  });

  it("averaged over many masks, the training forward pass matches evaluation (no dropout at evaluation)", () => {
    const config = parseTrainConfig({ dropout: 0.4, activation: "linear" }, { hidden: [32], activation: "relu" });
    const model = new Mlp(config, 4, 2, [3]);
    const x = tf.randomNormal([1, 1, 4], 0, 1, "float32", 5) as tf.Tensor3D;
    const evalOut = tf.tidy(() => model.forward(x, false));
    const evalAgain = tf.tidy(() => model.forward(x, false));
    expect(Array.from(evalOut.dataSync())).toEqual(Array.from(evalAgain.dataSync()));
    const n = 4000;
    const avg = tf.tidy(() => {
      const xs = tf.tile(x, [1, n, 1]) as tf.Tensor3D;
      return tf.mean(model.forward(xs, true, model.drawDropoutMasks(n, [n])), 1);
    });
    const scale = Math.max(...Array.from(evalOut.dataSync()).map(Math.abs));
    for (const [i, v] of Array.from(avg.dataSync()).entries()) {
      expect(Math.abs(v - (evalOut.dataSync()[i] as number))).toBeLessThan(0.05 * scale + 0.02);
    }
    for (const t of [x, evalOut, evalAgain, avg]) t.dispose();
    model.dispose();
  });
});
