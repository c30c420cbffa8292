import * as tf from "@tensorflow/tfjs-core";
import { WASM_ADAM, wasmAdam } from "../wasm-adam-kernel.ts";
import { SlotOptimizer } from "./optimizer.ts";

/**
 * Adam (Kingma & Ba 2015) with bias correction: m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²;
 * m̂ = m/(1−β1^t); v̂ = v/(1−β2^t); x ← x − η·m̂/(√v̂ + ε). On wasm (once `installWasmAdam` ran)
 * a float32 pack [K, …] updates in one `HpoAdam` op, the same arithmetic in C.
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
    const c1 = this.corrections(this.beta1);
    if (x.dtype === "float32" && x.shape[0] === c1.length && tf.getKernel(WASM_ADAM, tf.getBackend())) {
      const attrs = { beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, lr, c1 };
      const [x2, m2, v2] = wasmAdam(x, g, m, v, { ...attrs, c2: this.corrections(this.beta2) });
      this.set(m, m2 as tf.Tensor);
      this.set(v, v2 as tf.Tensor);
      this.set(x, x2 as tf.Tensor);
      return;
    }
    const mNew = tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1));
    const vNew = tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
    this.set(m, mNew);
    this.set(v, vNew);
    const mHat = tf.div(mNew, this.correction(this.beta1, x));
    const vHat = tf.div(vNew, this.correction(this.beta2, x));
    this.set(x, tf.sub(x, tf.div(tf.mul(mHat, lr), tf.add(tf.sqrt(vHat), this.epsilon))));
  }
}
