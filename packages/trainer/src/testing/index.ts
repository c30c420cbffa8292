/** Test support of @hpo/trainer (`@hpo/trainer/testing`): for tests and benches only. */
export { testJob } from "./test-job.ts";
