/**
 * CPU time (process.cpuUsage) per call of the wasm backend's stride-1 convolutions at LeNet's shapes (one model's
 * batch of 64 in bench/cnn-vs-torch.ts: its second conv, and the same with a 3×3 filter): XNNPACK (tfjs's own Conv2D wasm function, what hpo ran
 * before, through `heapConv2D`) against hpo's Winograd kernel (`winogradConvs`), alternated in one
 * process, for the forward pass and the input gradient (dy convolved with the flipped,
 * channel-swapped filter; its flip, a JS loop, is left out of XNNPACK's time). Prints one line
 * per round and shape, "xnnpack ms / winograd ms", then the median ratio per shape.
 *
 *   pnpm exec tsx packages/trainer/tools/bench-winograd.ts [rounds, default 5] [calls per round, default 20]
 */
import * as tf from "@tensorflow/tfjs-core";
import { selectBackend } from "../src/backend.ts";
import { heapConv2D, heapOffset, type WasmBackend } from "../src/wasm-heap.ts";
import { winogradConvOf, winogradConvs } from "../src/wasm-winograd-conv.ts";
import { WINOGRAD_SHAPES, type WinogradShape } from "./winograd-shapes.ts";

const rounds = Number(process.argv[2] ?? 5);
const calls = Number(process.argv[3] ?? 20);
await selectBackend("wasm");
const backend = tf.backend() as unknown as WasmBackend;

/** Two ways to run a shape on random tensors: [xnnpack, winograd], each timing `calls` calls (ms per call). */
function runners(s: WinogradShape): [() => number, () => number, () => void] {
  const info = tf.backend_util.computeConv2DInfo(s.x, s.filter, 1, 1, "same");
  const [KH, KW, C, CO] = s.filter;
  const wino = winogradConvOf(info, s.of);
  if (!wino) throw new Error(`${s.name}: no Winograd kernel`);
  const input = tf.randomNormal(s.of === "output" ? s.x : info.outShape);
  const filter = tf.randomNormal(s.filter);
  // XNNPACK's filter for dx: flipped, channels swapped [KH, KW, CO, C]
  const flipped = tf.tidy(() => tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]));
  const bias = tf.randomNormal([CO]);
  const out = tf.zeros(s.of === "output" ? info.outShape : s.x);
  const off = (t: tf.Tensor) => heapOffset(backend, t as unknown as tf.TensorInfo);
  const p = info.padInfo;
  const xnn =
    s.of === "output"
      ? { n: s.x[0], h: s.x[1], w: s.x[2], ci: C, co: CO, pad: p, f: filter }
      : {
          n: s.x[0],
          h: info.outHeight,
          w: info.outWidth,
          ci: CO,
          co: C,
          pad: { top: KH - 1 - p.top, right: KW - 1 - p.right, bottom: KH - 1 - p.bottom, left: KW - 1 - p.left },
          f: flipped,
        };
  const time = (one: () => void) => () => {
    const t0 = process.cpuUsage();
    for (let i = 0; i < calls; i++) one();
    const t = process.cpuUsage(t0);
    return (t.user + t.system) / 1000 / calls;
  };
  const withBias = s.of === "output" ? off(bias) : undefined;
  return [
    time(() =>
      heapConv2D(
        backend,
        off(input),
        off(xnn.f),
        off(out),
        { ...xnn, kh: KH, kw: KW, stride: [1, 1], dilation: [1, 1] },
        withBias,
      ),
    ),
    time(() => winogradConvs(backend, wino, [{ x: off(input), filter: off(filter), out: off(out), bias: withBias }])),
    () => tf.dispose([input, filter, flipped, bias, out]),
  ];
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] as number;
const ratios = new Map<string, number[]>();
const all = WINOGRAD_SHAPES.map((s) => [s, runners(s)] as const);
// warm up
for (const [, [x, w]] of all) {
  x();
  w();
}
for (let round = 0; round < rounds; round++)
  for (const [s, [xnn, wino]] of all) {
    const a = xnn();
    const b = wino();
    console.log(`round ${round} ${s.name}: xnnpack ${a.toFixed(2)} ms / winograd ${b.toFixed(2)} ms`);
    ratios.set(s.name, [...(ratios.get(s.name) ?? []), a / b]);
  }
for (const [name, r] of ratios) console.log(`${name}: median xnnpack/winograd ${median(r).toFixed(2)}×`);
for (const [, [, , dispose]] of all) dispose();
