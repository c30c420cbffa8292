import type { SweepStatus } from "@hpo/core";
import type { Store } from "@hpo/store";

/**
 * Sweep statuses as a worker sees them, read from the store at most once per `ttlMs` per sweep
 * (concurrent readers share one read). A final status (anything but running) never changes, so it
 * is kept without expiry; `markCancelled` records a cancel broadcast at once. The TTL bounds how
 * long a missed broadcast can go unnoticed; the broadcast itself stops running trials at once.
 */
export interface SweepStatusCache {
  /** The sweep's status (undefined when the sweep does not exist). Throws what the store throws. */
  get(sweepId: string): Promise<SweepStatus | undefined>;
  /** Records a cancel received on `${prefix}:cancel`. */
  markCancelled(sweepId: string): void;
}

interface Entry {
  readonly at: number;
  readonly value: Promise<SweepStatus | undefined>;
}

/** @param ttlMs how long a "running" answer is trusted. Default 250 ms. */
export function createSweepStatusCache(store: Pick<Store, "getSweepStatus">, ttlMs = 250): SweepStatusCache {
  const entries = new Map<string, Entry>();
  return {
    get(sweepId) {
      const now = performance.now();
      const hit = entries.get(sweepId);
      if (hit && now - hit.at < ttlMs) return hit.value;
      if (entries.size > 1000) entries.clear(); // old sweeps are never asked again
      const value = store.getSweepStatus(sweepId);
      const entry: Entry = { at: now, value };
      entries.set(sweepId, entry);
      value.then(
        (status) => {
          // a final status is final: keep it for good
          if (status !== undefined && status !== "running" && entries.get(sweepId) === entry) {
            entries.set(sweepId, { at: Number.POSITIVE_INFINITY, value });
          }
        },
        () => {
          if (entries.get(sweepId) === entry) entries.delete(sweepId); // errors are not cached
        },
      );
      return value;
    },
    markCancelled(sweepId) {
      entries.set(sweepId, { at: Number.POSITIVE_INFINITY, value: Promise.resolve("cancelled") });
    },
  };
}
