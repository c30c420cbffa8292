export * from "./types.ts";
export * from "./errors.ts";
export * from "./rng.ts";
export * from "./spec.ts";
export * from "./stats.ts";
export * from "./kfold.ts";
export * from "./samplers/index.ts";
export * from "./pruners/index.ts";
