import type { ModelSpec, Params, ParamValue } from "./types.ts";

/**
 * Other spellings of the built-in trainer's parameters, as W&B sweep files and training scripts
 * commonly write them. A sweep keeps the name the user wrote (trials, leaderboard and dashboard
 * show it); `trainerParams` turns a trial's params into the names the trainer reads.
 *
 *   written                  read as
 *   lr, learn_rate           learning_rate
 *   num_epochs               epochs
 *   weight_init              initializer (xavier → glorot)
 *   hidden_size, num_layers  hidden = [hidden_size] × num_layers (defaults: model.hidden's first
 *                            width, 1 layer)
 * Choices are case-insensitive (`Adam`, `ReLU`) and `xavier`/`glorot_uniform` mean glorot,
 * `he_normal`/`kaiming` he.
 */
export const PARAMETER_ALIASES: Readonly<Record<string, string>> = {
  lr: "learning_rate",
  learn_rate: "learning_rate",
  num_epochs: "epochs",
  weight_init: "initializer",
  hidden_size: "hidden",
  num_layers: "hidden",
};

/** Other names of a choice, by the choice they mean (compared in lower case). */
export const CHOICE_ALIASES: Readonly<Record<string, string>> = {
  xavier: "glorot",
  glorot_uniform: "glorot",
  xavier_uniform: "glorot",
  he_normal: "he",
  he_uniform: "he",
  kaiming: "he",
};

/** The parameter the trainer reads for `name` (itself when it is not an alias). */
export function canonicalName(name: string): string {
  return Object.hasOwn(PARAMETER_ALIASES, name) ? (PARAMETER_ALIASES[name] as string) : name;
}

/** A choice as the trainer spells it: lower case, aliases resolved (`Xavier` → glorot). */
export function canonicalChoice(value: string): string {
  const lower = value.toLowerCase();
  return Object.hasOwn(CHOICE_ALIASES, lower) ? (CHOICE_ALIASES[lower] as string) : lower;
}

/**
 * A trial's params under the names the trainer reads (see PARAMETER_ALIASES), string choices in
 * canonical spelling. Params without aliases come back equal.
 */
export function trainerParams(params: Params, model: Pick<ModelSpec, "hidden">): Params {
  const out: Record<string, ParamValue> = {};
  for (const [name, value] of Object.entries(params)) {
    if (name === "hidden_size" || name === "num_layers") continue;
    out[canonicalName(name)] = typeof value === "string" ? canonicalChoice(value) : value;
  }
  const width = params.hidden_size;
  const layers = params.num_layers;
  if (width !== undefined || layers !== undefined) {
    const w = typeof width === "number" ? width : (model.hidden[0] ?? 64);
    const n = typeof layers === "number" ? layers : 1;
    out.hidden = Array.from({ length: Math.max(0, Math.round(n)) }, () => w);
  }
  return out;
}
