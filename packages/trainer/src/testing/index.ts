/** Test support of @hpo/trainer (`@hpo/trainer/testing`): for tests and benches only. */
export { type AddingSizes, addingJob } from "./adding-job.ts";
export { recorder } from "./recorder.ts";
export { testJob } from "./test-job.ts";
