import type * as tf from "@tensorflow/tfjs-core";
import { fusedUpdate } from "./fused-update.ts";
import { SlotOptimizer } from "./optimizer.ts";

/**
 * Adam (Kingma & Ba 2015) with bias correction: m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²;
 * m̂ = m/(1−β1^t); v̂ = v/(1−β2^t); x ← x − η·m̂/(√v̂ + ε). One fused pass over the whole [K, P]
 * vector per step (`fusedUpdate`), each packed model with its own t.
 */
export class Adam extends SlotOptimizer {
  readonly name = "adam";
  constructor(
    private readonly beta1: number,
    private readonly beta2: number,
    private readonly epsilon: number,
  ) {
    super(2);
  }
  protected update(x: tf.Variable, g: tf.Tensor, lr: number): void {
    const [m, v] = this.state(x) as [tf.Variable, tf.Variable];
    const { beta1: b1, beta2: b2, epsilon: eps } = this;
    const { t, active } = this.context;
    const activeFlags = active ? Array.from(active.dataSync(), Boolean) : undefined;
    fusedUpdate([x, m, v], g, t.length, activeFlags, (k, from, to, src, dst) => {
      const [xs, ms, vs, gs] = src as [Float32Array, Float32Array, Float32Array, Float32Array];
      const [xd, md, vd] = dst as [Float32Array, Float32Array, Float32Array];
      const tk = Math.max(t[k] as number, 1);
      // x ← x − (η/c1)·m / (√(v/c2) + ε), with c = 1 − β^t.
      const step = lr / (1 - b1 ** tk);
      const inv2 = 1 / (1 - b2 ** tk);
      const a1 = 1 - b1;
      const a2 = 1 - b2;
      for (let i = from; i < to; i++) {
        const gi = gs[i] as number;
        const mi = b1 * (ms[i] as number) + a1 * gi;
        const vi = b2 * (vs[i] as number) + a2 * gi * gi;
        md[i] = mi;
        vd[i] = vi;
        xd[i] = (xs[i] as number) - (step * mi) / (Math.sqrt(vi * inv2) + eps);
      }
    });
  }
}
