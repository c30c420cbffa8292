import type { Dataset } from "./datasets/dataset.ts";
import type { TrainConfig } from "./params.ts";
import { checkTokenIds } from "./token-ids.ts";

/** How the built-in trainer's model reads a dataset's rows. */
export interface ModelInputs {
  /** The example shape a layer list sees (images, sequences); undefined: rows of features. */
  readonly inputShape?: readonly number[];
  /**
   * Standardize the inputs per fold; false when the trial's `standardize` is false or a layer list
   * starts with an embedding (token ids).
   */
  readonly standardize: boolean;
}

/**
 * How the model of `config` reads the rows of `data` (trials and refits alike).
 * @throws HpoError when the layer list starts with an embedding and an input is not a token id it
 *   can read (see `checkTokenIds`).
 */
export function modelInputs(data: Dataset, config: TrainConfig): ModelInputs {
  const shape = data.image ?? data.sequence;
  const first = config.layers?.[0];
  if (first?.type === "embedding") checkTokenIds(data, first.inputDim);
  return {
    ...(shape && { inputShape: shape }),
    standardize: config.standardize && first?.type !== "embedding",
  };
}
