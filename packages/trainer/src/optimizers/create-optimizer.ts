import type { TrainConfig } from "../params.ts";
import { Adadelta } from "./adadelta.ts";
import { Adagrad } from "./adagrad.ts";
import { Adam } from "./adam.ts";
import { Adamax } from "./adamax.ts";
import { Momentum } from "./momentum.ts";
import type { Optimizer } from "./optimizer.ts";
import { Rmsprop } from "./rmsprop.ts";
import { Sgd } from "./sgd.ts";

/** The optimizer named by `config.optimizer`, with its hyperparameters (caller disposes it). */
export function createOptimizer(config: TrainConfig): Optimizer {
  switch (config.optimizer) {
    case "sgd":
      return new Sgd();
    case "momentum":
      return new Momentum(config.momentum, config.nesterov);
    case "adagrad":
      return new Adagrad(config.epsilon);
    case "rmsprop":
      return new Rmsprop(config.rho, config.epsilon, config.momentum);
    case "adadelta":
      return new Adadelta(config.rho, config.epsilon);
    case "adam":
      return new Adam(config.beta1, config.beta2, config.epsilon);
    case "adamax":
      return new Adamax(config.beta1, config.beta2, config.epsilon);
  }
}
