import type { StoreContext } from "./store-context.ts";
import type { Store } from "./store-types.ts";

/** Reads of the worker status hashes (`P:worker:{name}`, written by @hpo/metrics startWorkerStatus). */
export function workerStatuses(ctx: StoreContext): Pick<Store, "getWorkerStatuses"> {
  const { redis, keys, guard } = ctx;
  return {
    getWorkerStatuses: (names) =>
      guard("read worker statuses", async () => {
        if (names.length === 0) return [];
        const pipe = redis.pipeline();
        for (const name of names) pipe.hgetall(keys.workerStatus(name));
        const res = (await pipe.exec()) ?? [];
        return res.map(([err, value]) => (err ? {} : ((value ?? {}) as Record<string, string>)));
      }),
  };
}
