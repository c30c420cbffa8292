import type { EpochReport } from "@hpo/core";

/**
 * Collects a running trial's epoch reports and hands them to `write` in batches: at once when the
 * previous batch is at least `intervalMs` old, otherwise when that much time has passed. Slow
 * epochs (real training) are thus written one by one as they come; fast ones (noop mode, tiny
 * models) cost one write per interval instead of one per epoch. Other trials' pruners see an
 * epoch at most `intervalMs` late. Writes are not awaited: the caller's store keeps commands in
 * order on its connection, so `flush()` before the final write is enough; `take()` instead hands
 * the last batch to the final write itself.
 */
export interface EpochBuffer {
  add(report: EpochReport): void;
  /** Writes what is pending now. */
  flush(): void;
  /**
   * Hands back what is pending without writing it (and drops the timer): the caller writes it
   * itself, e.g. with the trial's final write in the same round trip (store.finishTrial).
   */
  take(): EpochReport[];
  /** Drops the pending timer (pending reports are flushed first). */
  close(): void;
}

export function createEpochBuffer(
  write: (reports: readonly EpochReport[]) => Promise<unknown>,
  onError: (err: unknown) => void,
  /** Default 250 ms. */
  intervalMs = 250,
  /** When the trial started (performance.now()); the first batch waits for an interval from it. */
  startedAt = performance.now(),
): EpochBuffer {
  let pending: EpochReport[] = [];
  let lastWrite = startedAt;
  let timer: NodeJS.Timeout | undefined;

  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    lastWrite = performance.now();
    write(batch).catch(onError);
  };

  return {
    add(report) {
      pending.push(report);
      const since = performance.now() - lastWrite;
      if (since >= intervalMs) flush();
      else timer ??= setTimeout(flush, intervalMs - since);
    },
    flush,
    take() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      const batch = pending;
      pending = [];
      return batch;
    },
    close: flush,
  };
}
