import { broadcasts } from "./broadcasts.ts";
import { refitOps } from "./refits.ts";
import { selectionWrites } from "./selection-writes.ts";
import { createStoreContext } from "./store-context.ts";
import type { Store, StoreOptions } from "./store-types.ts";
import { sweepOps } from "./sweep-ops.ts";
import { trialLogOps } from "./trial-log.ts";
import { trialReads } from "./trial-reads.ts";
import { trialWrites } from "./trial-writes.ts";
import { workerStatuses } from "./worker-statuses.ts";

export * from "./store-types.ts";

/**
 * The Redis store (see store-types.ts for the contract, keys.ts for the layout, lua/ for
 * the transitions). Parts by concept: sweep-ops (sweeps), trial-writes (trial transitions),
 * trial-reads (trials, pages, steps), broadcasts (cancel / finished pub-sub), all sharing one
 * StoreContext (connection, keys, script runner).
 */
export function createStore(options: StoreOptions): Store {
  const ctx = createStoreContext(options);
  const pubsub = broadcasts(ctx);
  const { closeSubscribers, ...pubsubOps } = pubsub;
  return {
    prefix: options.prefix,
    ...sweepOps(ctx),
    ...trialWrites(ctx),
    ...selectionWrites(ctx),
    ...trialReads(ctx),
    ...trialLogOps(ctx),
    ...workerStatuses(ctx),
    ...refitOps(ctx),
    ...pubsubOps,
    async close() {
      await closeSubscribers();
      if (ctx.owned) await ctx.redis.quit().catch(() => ctx.redis.disconnect());
    },
  };
}
