import type { Redis } from "ioredis";
import type { Logger } from "pino";

/** What the scheduler wants to hear of BullMQ's event stream. */
export interface QueueWatchHandlers {
  /** A job failed (its attempts used up, or it stalled too often). */
  onFailed(jobId: string, failedReason: string): void;
  /** A job's worker lost its lock; BullMQ moved the job back to wait. */
  onStalled(jobId: string): void;
}

export interface QueueWatch {
  /** Stops polling (waits for a read in progress). */
  close(): Promise<void>;
}

/** Entries read per XREAD at most. */
const BATCH = 5000;

/**
 * Reads BullMQ's event stream (`eventsKey`, e.g. queue.keys.events) every `intervalMs` in
 * batches, non-blocking, and hands `failed` and `stalled` events to `handlers`. A stand-in for
 * QueueEvents, which blocks on XREAD for every event (four per trial: added, active, completed,
 * ...) and so costs the coordinator a round trip per burst of events on the hot path, while the
 * scheduler only needs the rare ones. Starts after the stream's current last entry. Events trimmed
 * from the stream (BullMQ keeps ~10 000) before a read are missed; the scheduler's reconcile tick
 * finds failed jobs anyway.
 */
export async function watchQueue(options: {
  readonly redis: Redis;
  readonly eventsKey: string;
  readonly handlers: QueueWatchHandlers;
  readonly logger: Logger;
  /** Default 250 ms. */
  readonly intervalMs?: number;
}): Promise<QueueWatch> {
  const { redis, eventsKey, handlers, logger } = options;
  const intervalMs = options.intervalMs ?? 250;
  const [last] = (await redis.xrevrange(eventsKey, "+", "-", "COUNT", 1)) as [string, string[]][];
  let lastId = last?.[0] ?? "0-0";
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let reading: Promise<void> = Promise.resolve();

  const handle = (fields: readonly string[]) => {
    let event: string | undefined;
    let jobId: string | undefined;
    let failedReason = "";
    for (let i = 0; i + 1 < fields.length; i += 2) {
      const name = fields[i];
      if (name === "event") event = fields[i + 1];
      else if (name === "jobId") jobId = fields[i + 1];
      else if (name === "failedReason") failedReason = fields[i + 1] ?? "";
    }
    if (jobId === undefined) return;
    if (event === "failed") handlers.onFailed(jobId, failedReason);
    else if (event === "stalled") handlers.onStalled(jobId);
  };

  const read = async () => {
    for (;;) {
      const res = (await redis.xread("COUNT", BATCH, "STREAMS", eventsKey, lastId)) as
        | [string, [string, string[]][]][]
        | null;
      const entries = res?.[0]?.[1] ?? [];
      for (const [id, fields] of entries) {
        lastId = id;
        handle(fields);
      }
      if (entries.length < BATCH || closed) return;
    }
  };

  const schedule = () => {
    if (closed) return;
    timer = setTimeout(() => {
      reading = read()
        .catch((err) => logger.warn({ err: (err as Error).message }, "scheduler: reading queue events failed"))
        .finally(schedule);
    }, intervalMs);
    timer.unref?.();
  };
  schedule();

  return {
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await reading;
    },
  };
}
