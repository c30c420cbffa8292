/** Test support of @hpo/store (`@hpo/store/testing`): for tests only, never for production code. */
export { appendEpoch, proposeTrial, stepValues } from "./store-helpers.ts";
export { type StorePerTest, storePerTest, TEST_REDIS_URL, uniquePrefix } from "./store-per-test.ts";
