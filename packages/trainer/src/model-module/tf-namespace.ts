/**
 * The TensorFlow.js a model module gets as `ctx.tf`: tfjs-core (ops, `train` optimizers, memory)
 * and tfjs-layers (`sequential`, `layers`, `model`, …) — what `import * as tf from
 * "@tensorflow/tfjs"` gives — bound to the worker's engine, whose backend is already selected. A
 * module that imported its own copy of TensorFlow.js would get a second engine without that
 * backend, so modules use this one.
 */
import * as core from "@tensorflow/tfjs-core";
import * as layers from "@tensorflow/tfjs-layers";

export type ModuleTf = typeof core & typeof layers;

export const moduleTf: ModuleTf = Object.freeze({ ...core, ...layers }) as ModuleTf;
