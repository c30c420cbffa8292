/** Test support of @hpo/core (`@hpo/core/testing`): for tests only (it imports vitest). */

export { hpoErrorOf } from "./hpo-error-of.ts";
export { processAlive } from "./process-alive.ts";
export { runSamplerContract } from "./sampler-contract.ts";
export { specIssuesOf } from "./spec-issues-of.ts";
export { testSpec } from "./test-spec.ts";
export { testTrial } from "./test-trial.ts";
export { sleep, waitFor } from "./wait-for.ts";
