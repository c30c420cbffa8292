/**
 * Interleaved A/B of the wasm conv kernels at LeNet's shapes (one model, batch 64): CPU ms per
 * call of the first conv's forward (x [64, 28, 28, 1], 16 filters 5×5, `same`, with bias) and dW,
 * and the second conv's dW (x [64, 14, 14, 16], 32 filters 5×5, `same`), in another checkout
 * (BASE, e.g. an older commit extracted with `git archive <commit> packages | tar -x -C /tmp/base`
 * plus symlinked node_modules) and this one, in one process on the same random tensors, in
 * alternating order so load drift hits both alike. BASE's forward is its packed conv's per-model
 * call (`heapConv2D` with the bias); this tree's is `HpoPackedConv2D`'s for K = 1.
 *
 *   pnpm exec tsx packages/trainer/tools/ab-conv-kernels.ts BASE [rounds, default 5] [calls per round, default 10]
 */
import * as tf from "@tensorflow/tfjs-core";
import { selectBackend } from "../src/index.ts";
import { convFilterGradInto } from "../src/wasm-conv-kernels.ts";
import { singleChannelPackedConv } from "../src/wasm-conv-single-channel.ts";
import type * as heap from "../src/wasm-heap.ts";
import type { WasmBackend } from "../src/wasm-heap.ts";

const [base, roundArg = "5", callArg = "10"] = process.argv.slice(2);
if (!base) throw new Error("usage: ab-conv-kernels.ts BASE_CHECKOUT [rounds] [calls per round]");
const baseConv = (await import(`${base}/packages/trainer/src/wasm-conv-kernels.ts`)) as {
  convFilterGradInto: typeof convFilterGradInto;
};
const baseHeap = (await import(`${base}/packages/trainer/src/wasm-heap.ts`)) as typeof heap;
await selectBackend("wasm");
const backend = tf.backend() as unknown as WasmBackend;
const offset = (t: tf.Tensor) => baseHeap.heapOffset(backend, t);

interface Layer {
  name: string;
  x: [number, number, number, number];
  filter: [number, number, number, number];
}
const layers: Layer[] = [
  { name: "first conv", x: [64, 28, 28, 1], filter: [5, 5, 1, 16] },
  { name: "second conv", x: [64, 14, 14, 16], filter: [5, 5, 16, 32] },
];
const rounds = Number(roundArg);
const calls = Number(callArg);

/** CPU ms per call of `f` over `calls` calls. */
function cpuMs(f: () => void): number {
  const c0 = process.cpuUsage();
  for (let i = 0; i < calls; i++) f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e3 / calls;
}

for (const layer of layers) {
  const info = tf.backend_util.computeConv2DInfo(layer.x, layer.filter, 1, 1, "same");
  const x = tf.randomNormal(layer.x);
  const filter = tf.randomNormal(layer.filter);
  const bias = tf.randomNormal([layer.filter[3]]);
  const dy = tf.randomNormal(info.outShape);
  const dw = { base: tf.zeros(layer.filter), head: tf.zeros(layer.filter) };
  const runs: [string, Record<"base" | "head", () => void>][] = [
    [
      "dW",
      {
        base: () => baseConv.convFilterGradInto(backend, x, dy, dw.base, info),
        head: () => convFilterGradInto(backend, x, dy, dw.head, info),
      },
    ],
  ];
  let y: { base: tf.Tensor; head?: tf.TensorInfo } | undefined;
  if (layer.x[3] === 1) {
    y = { base: tf.zeros(info.outShape) };
    const conv: heap.HeapConvShape = {
      n: info.batchSize,
      h: info.inHeight,
      w: info.inWidth,
      ci: 1,
      kh: info.filterHeight,
      kw: info.filterWidth,
      co: info.outChannels,
      pad: info.padInfo,
      stride: [1, 1],
      dilation: [1, 1],
    };
    const ys = y;
    runs.push([
      "forward",
      {
        base: () => baseHeap.heapConv2D(backend, offset(x), offset(filter), offset(ys.base), conv, offset(bias)),
        head: () => {
          if (ys.head) backend.disposeData(ys.head.dataId, true);
          ys.head = singleChannelPackedConv(backend, x, filter, bias, 1, info);
        },
      },
    ]);
  }
  for (const [what, run] of runs) {
    const ms = { base: [] as number[], head: [] as number[] };
    // warm-up: V8 runs a wasm function's first calls on its baseline compiler
    for (let i = 0; i < 3; i++) for (const side of ["base", "head"] as const) run[side]();
    for (let r = 0; r < rounds; r++)
      for (const side of (r % 2 ? ["base", "head"] : ["head", "base"]) as ("base" | "head")[])
        ms[side].push(cpuMs(run[side]));
    const pairs = ms.base.map((b, i) => `${b.toFixed(2)}/${(ms.head[i] as number).toFixed(2)}`).join(" ");
    const sum = (a: number[]) => a.reduce((s, v) => s + v, 0);
    console.log(
      `${layer.name} ${what}: CPU ms per call, base/this per round: ${pairs}; mean base ${(sum(ms.base) / rounds).toFixed(2)}, this ${(sum(ms.head) / rounds).toFixed(2)}, base/this ${(sum(ms.base) / sum(ms.head)).toFixed(2)}`,
    );
  }
  // the two sides agree (a sanity check of the inputs, not a test)
  const got = what(dw.head);
  const want = what(dw.base);
  let worst = 0;
  for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / (1 + Math.abs(want[i]!)));
  if (y?.head) {
    const yh = backend.typedArrayFromHeap(y.head) as Float32Array;
    const yb = y.base.dataSync();
    for (let i = 0; i < yb.length; i++) worst = Math.max(worst, Math.abs(yh[i]! - yb[i]!) / (1 + Math.abs(yb[i]!)));
    backend.disposeData(y.head.dataId, true);
  }
  console.log(`${layer.name}: largest relative difference between the sides ${worst.toExponential(1)}`);
  tf.dispose([x, filter, bias, dy, dw.base, dw.head, ...(y ? [y.base] : [])]);
}

function what(t: tf.Tensor): Float32Array {
  return t.dataSync() as Float32Array;
}
