import type { StoreContext } from "./store-context.ts";
import type { Store } from "./store-types.ts";

/** The test score of a sweep's winner and the refit models the coordinator keeps (see Store). */
export function refitOps(
  ctx: StoreContext,
): Pick<Store, "setSweepTest" | "pendingTestSweeps" | "putRefit" | "getRefit"> {
  const { redis, keys, guard } = ctx;
  return {
    setSweepTest: (sweepId, test) =>
      guard(`record the test score of sweep "${sweepId}"`, async () => {
        const multi = redis.multi().hset(keys.sweep(sweepId), "test", JSON.stringify(test));
        if (test.state === "pending") multi.sadd(keys.testing, sweepId);
        else multi.srem(keys.testing, sweepId);
        await multi.exec();
      }),
    pendingTestSweeps: () => guard("list pending test refits", () => redis.smembers(keys.testing)),
    putRefit: (sweepId, trialId, json) =>
      guard(`keep the refit of ${trialId} of sweep "${sweepId}"`, async () => {
        await redis.set(keys.refit(sweepId, trialId), json);
      }),
    getRefit: (sweepId, trialId) =>
      guard(`read the refit of ${trialId} of sweep "${sweepId}"`, async () => {
        return (await redis.get(keys.refit(sweepId, trialId))) ?? undefined;
      }),
  };
}
