import type { SweepStatus } from "@hpo/core";
import type { Store } from "@hpo/store";

/**
 * Sweep statuses as a worker sees them, without a Redis round trip on the hot path (job start,
 * every epoch). A "running" answer younger than `ttlMs` is used as is; one up to 4 × `ttlMs` old is
 * still used while a fresh read runs in the background (so the next job of a busy worker starts at
 * once); older, the caller waits for a fresh read. Concurrent readers share one read. A final
 * status (anything but running) never changes, so it is kept for good; `markCancelled` records a
 * cancel broadcast at once. The TTL only bounds how long a missed broadcast goes unnoticed.
 */
export interface SweepStatusCache {
  /** The sweep's status (undefined when the sweep does not exist). Throws what the store throws. */
  get(sweepId: string): Promise<SweepStatus | undefined>;
  /** Records a cancel received on `${prefix}:cancel`. */
  markCancelled(sweepId: string): void;
  /**
   * Reads the status from the store now and caches it: a stopped sweep can run again (resume,
   * extend), so a cached final status is checked once more before a trial is skipped.
   */
  refresh(sweepId: string): Promise<SweepStatus | undefined>;
}

interface Entry {
  readonly at: number;
  readonly value: Promise<SweepStatus | undefined>;
  /** Set once `value` resolved to "running" (only those are served stale). */
  running?: boolean;
  /** A background re-read of a stale "running" answer is in flight. */
  refreshing?: boolean;
}

/** @param ttlMs how long a "running" answer is trusted without a re-read. Default 500 ms. */
export function createSweepStatusCache(store: Pick<Store, "getSweepStatus">, ttlMs = 500): SweepStatusCache {
  const entries = new Map<string, Entry>();

  /** Installs what a read found, unless the entry was replaced meanwhile (e.g. a cancel). */
  const install = (sweepId: string, expected: Entry | undefined, read: Entry, status: SweepStatus | undefined) => {
    if (entries.get(sweepId) !== expected) return;
    // a final status is final: keep it for good
    if (status !== undefined && status !== "running")
      entries.set(sweepId, { at: Number.POSITIVE_INFINITY, value: read.value });
    else {
      read.running = status === "running";
      entries.set(sweepId, read);
    }
  };

  const cache: SweepStatusCache = {
    refresh(sweepId) {
      entries.delete(sweepId);
      return cache.get(sweepId);
    },
    get(sweepId) {
      const hit = entries.get(sweepId);
      const age = hit ? performance.now() - hit.at : Number.POSITIVE_INFINITY;
      if (hit && age < ttlMs) return hit.value;
      if (hit?.running && age < 4 * ttlMs) {
        // serve the recent "running" answer and refresh it in the background
        if (!hit.refreshing) {
          hit.refreshing = true;
          const fresh: Entry = { at: performance.now(), value: store.getSweepStatus(sweepId) };
          fresh.value.then(
            (status) => install(sweepId, hit, fresh, status),
            () => {
              hit.refreshing = false;
            },
          );
        }
        return hit.value;
      }
      if (entries.size > 1000) entries.clear(); // old sweeps are never asked again
      const entry: Entry = { at: performance.now(), value: store.getSweepStatus(sweepId) };
      entries.set(sweepId, entry);
      entry.value.then(
        (status) => install(sweepId, entry, entry, status),
        () => {
          if (entries.get(sweepId) === entry) entries.delete(sweepId); // errors are not cached
        },
      );
      return entry.value;
    },
    markCancelled(sweepId) {
      entries.set(sweepId, { at: Number.POSITIVE_INFINITY, value: Promise.resolve("cancelled") });
    },
  };
  return cache;
}
