/** Test support of @hpo/worker (`@hpo/worker/testing`): for tests and benches only. */
export { fixtureHost, fixtureJob, PROGRAM_FIXTURES } from "./program-fixture.ts";
export { STUB_MODEL, TEST_MODEL_DIR } from "./test-model-dir.ts";
export { openWorkerTestbed, type WorkerTestbed } from "./worker-testbed.ts";
