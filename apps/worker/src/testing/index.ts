/** Test support of @hpo/worker (`@hpo/worker/testing`): for tests and benches only. */

/**
 * Module URL of the stub trainer (stub-trainer.ts), for the worker's `trainerModule` option
 * (HPO_TRAINER_MODULE): a training thread then loads it instead of @hpo/trainer.
 */
export const STUB_TRAINER_MODULE = new URL("./stub-trainer.ts", import.meta.url).href;
