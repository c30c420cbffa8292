import type { TrainConfig } from "./params.ts";

/**
 * Learning rate for 0-based `epoch` of `maxEpochs` (constant within an epoch), from η = learning_rate:
 * constant η; step η·decay^⌊epoch/lr_decay_steps⌋ (decay = lr_decay_rate); exponential η·decay^epoch;
 * cosine η·½(1 + cos(π·epoch/maxEpochs)) (annealed towards 0, never reaching it).
 */
export function learningRateAt(
  config: Pick<TrainConfig, "learningRate" | "lrSchedule" | "lrDecay" | "lrDecayEpochs">,
  epoch: number,
  maxEpochs: number,
): number {
  const lr = config.learningRate;
  switch (config.lrSchedule) {
    case "constant":
      return lr;
    case "step":
      return lr * config.lrDecay ** Math.floor(epoch / config.lrDecayEpochs);
    case "exponential":
      return lr * config.lrDecay ** epoch;
    case "cosine":
      return lr * 0.5 * (1 + Math.cos((Math.PI * epoch) / Math.max(maxEpochs, 1)));
  }
}
