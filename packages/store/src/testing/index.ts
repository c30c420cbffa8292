/** Test support of @hpo/store (`@hpo/store/testing`): for tests only, never for production code. */
export { appendEpoch, proposeTrial, stepValues } from "./store-helpers.ts";
export {
  deleteTestKeys,
  type StorePerSuite,
  type StorePerTest,
  storePerSuite,
  storePerTest,
  TEST_REDIS_URL,
  uniquePrefix,
  unreachableRedis,
} from "./store-per-test.ts";
