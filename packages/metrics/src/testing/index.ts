/** Test support of @hpo/metrics (`@hpo/metrics/testing`): for tests only, never for production code. */
export { parseExposition, type Sample, sampleValue } from "./exposition.ts";
