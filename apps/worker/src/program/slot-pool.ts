/**
 * The fold processes a worker runs at once (`--slots`, HPO_SLOTS) and the GPUs they get
 * (HPO_GPUS). With GPUs, a slot is a GPU: at most one process per GPU at any time, and the
 * number of slots is min(slots, GPUs). Waiters are served first come, first served.
 */
export interface SlotPool {
  /**
   * Resolves with a slot once one is free (with its GPU id when the pool has GPUs); `release`
   * gives it back (idempotent). Rejects with the signal's reason when `signal` aborts first.
   */
  acquire(signal?: AbortSignal): Promise<Slot>;
  /** Slots in all. */
  readonly size: number;
  /** Slots in use now. */
  readonly busy: number;
}

export interface Slot {
  readonly gpu?: string;
  release(): void;
}

export function createSlotPool(slots: number, gpus: readonly string[] = []): SlotPool {
  const size = gpus.length > 0 ? Math.min(Math.max(1, slots), gpus.length) : Math.max(1, slots);
  const free: (string | undefined)[] = gpus.length > 0 ? gpus.slice(0, size) : new Array(size).fill(undefined);
  const waiting: { grant: (gpu: string | undefined) => void }[] = [];
  const slotOf = (gpu: string | undefined): Slot => {
    let released = false;
    return {
      ...(gpu !== undefined && { gpu }),
      release() {
        if (released) return;
        released = true;
        const next = waiting.shift();
        if (next) next.grant(gpu);
        else free.push(gpu);
      },
    };
  };
  return {
    size,
    get busy() {
      return size - free.length;
    },
    acquire(signal) {
      if (signal?.aborted) return Promise.reject(signal.reason);
      if (free.length > 0) return Promise.resolve(slotOf(free.shift()));
      return new Promise((resolve, reject) => {
        const waiter = {
          grant: (gpu: string | undefined) => {
            signal?.removeEventListener("abort", onAbort);
            resolve(slotOf(gpu));
          },
        };
        const onAbort = () => {
          const i = waiting.indexOf(waiter);
          if (i >= 0) waiting.splice(i, 1);
          reject(signal?.reason);
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        waiting.push(waiter);
      });
    },
  };
}
