export * from "./store.ts";
export { keysFor, trialIdOf, type Keys } from "./keys.ts";
export { newSweepId, isSweepId } from "./sweep-id.ts";
export { TRIAL_STATES } from "./codec.ts";
export { TRIALS_QUEUE, jobIdOf, parseJobId } from "./queue.ts";
