/**
 * Interleaved A/B of the Winograd convolutions (`winogradConvs`) at LeNet's second conv (one model,
 * batch 64: x [64, 14, 14, 16], 32 filters, `same`): CPU ms per call of the 5×5 forward (with
 * bias) and input gradient and of the 3×3 ones (winograd-shapes.ts), in another checkout (BASE, e.g. an older commit
 * extracted with `git archive <commit> packages | tar -x -C /tmp/base` plus symlinked
 * node_modules, as for ab-conv-kernels.ts) and this one, in one process on the same random
 * tensors, in alternating order. Prints the largest difference of the two outputs, one line per
 * round and shape, then the medians.
 *
 *   pnpm exec tsx packages/trainer/tools/ab-winograd.ts BASE [rounds, default 7] [calls per round, default 10]
 */
import * as tf from "@tensorflow/tfjs-core";
import { selectBackend } from "../src/backend.ts";
import { heapOffset, type WasmBackend } from "../src/wasm-heap.ts";
import * as mine from "../src/wasm-winograd-conv.ts";
import { WINOGRAD_SHAPES } from "./winograd-shapes.ts";

const [base, roundArg = "7", callArg = "10"] = process.argv.slice(2);
if (!base) throw new Error("usage: ab-winograd.ts BASE_CHECKOUT [rounds] [calls per round]");
const theirs = (await import(`${base}/packages/trainer/src/wasm-winograd-conv.ts`)) as typeof mine;
await selectBackend("wasm");
const backend = tf.backend() as unknown as WasmBackend;
const off = (t: tf.Tensor) => heapOffset(backend, t as unknown as tf.TensorInfo);
const calls = Number(callArg);

const runs = WINOGRAD_SHAPES.map((s) => {
  const info = tf.backend_util.computeConv2DInfo(s.x, s.filter, 1, 1, "same");
  const conv = (m: typeof mine) => {
    const c = m.winogradConvOf(info, s.of);
    if (!c) throw new Error(`${s.name}: no Winograd kernel`);
    return c;
  };
  const input = tf.randomNormal(s.of === "output" ? s.x : info.outShape);
  const filter = tf.randomNormal(s.filter);
  const bias = s.of === "output" ? tf.randomNormal([s.filter[3]]) : undefined;
  const outs = [tf.zeros(s.of === "output" ? info.outShape : s.x), tf.zeros(s.of === "output" ? info.outShape : s.x)];
  const time = (m: typeof mine, out: tf.Tensor) => () => {
    const operands = [{ x: off(input), filter: off(filter), out: off(out), bias: bias && off(bias) }];
    const c = conv(m);
    const t0 = process.cpuUsage();
    for (let i = 0; i < calls; i++) m.winogradConvs(backend, c, operands);
    const t = process.cpuUsage(t0);
    return (t.user + t.system) / 1000 / calls;
  };
  return { name: s.name, base: time(theirs, outs[0] as tf.Tensor), mine: time(mine, outs[1] as tf.Tensor), outs };
});

for (const r of runs) {
  r.base();
  r.mine();
  const [a, b] = r.outs as [tf.Tensor, tf.Tensor];
  const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] as number);
  const scale = tf.tidy(() => tf.max(tf.abs(a)).dataSync()[0] as number);
  console.log(`${r.name}: largest |base − this| ${diff.toExponential(2)} (largest |output| ${scale.toFixed(1)})`);
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] as number;
const pairs = new Map<string, [number, number][]>();
for (let round = 0; round < Number(roundArg); round++)
  for (const r of runs) {
    let a: number;
    let b: number;
    if (round % 2) {
      a = r.base();
      b = r.mine();
    } else {
      b = r.mine();
      a = r.base();
    }
    console.log(`round ${round} ${r.name}: base ${a.toFixed(2)} ms / this ${b.toFixed(2)} ms`);
    pairs.set(r.name, [...(pairs.get(r.name) ?? []), [a, b]]);
  }
for (const [name, p] of pairs)
  console.log(
    `${name}: median base ${median(p.map(([a]) => a)).toFixed(2)} / this ${median(p.map(([, b]) => b)).toFixed(2)} ms, ` +
      `median ratio ${median(p.map(([a, b]) => a / b)).toFixed(2)}×`,
  );
