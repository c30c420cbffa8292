/**
 * What the coordinator uses to run a program trial's refit (`@hpo/worker/program-refit`): the
 * same program code as the worker's folds, without the worker's BullMQ and TensorFlow.js side.
 */
export { type ProcessReaper, startProcessReaper } from "./process-reaper.ts";
export { programHostOf, programOptionsOf } from "./program-options.ts";
export { type ProgramRefitHost, type ProgramRefitRun, runProgramRefit } from "./program-refit.ts";
