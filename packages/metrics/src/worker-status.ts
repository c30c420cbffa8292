import type { WorkerMetrics } from "./worker-metrics.ts";

/** The Redis commands the status publisher uses (an ioredis client fits). */
export interface HashClient {
  hset(key: string, fields: Record<string, string>): Promise<unknown>;
  pexpire(key: string, ms: number): Promise<unknown>;
  del(key: string): Promise<unknown>;
}

export interface WorkerStatusOptions {
  readonly redis: HashClient;
  /** The hash the coordinator's fleet view reads: `${prefix}:worker:${name}`. */
  readonly key: string;
  readonly metrics: Pick<WorkerMetrics, "snapshot">;
  /** Host shown in the fleet view. */
  readonly host: string;
  /** Publish period. Default 5000 ms; the hash expires after 3 periods without an update. */
  readonly intervalMs?: number;
  /** Samples per second are averaged over this window. Default 30 000 ms. */
  readonly windowMs?: number;
  /** Called with publish errors (Redis down); publishing goes on. Default: ignore. */
  readonly onError?: (error: unknown) => void;
  readonly now?: () => number;
}

export interface WorkerStatus {
  /** Publishes now (also done every `intervalMs`). Never rejects. */
  publish(): Promise<void>;
  /** Stops publishing and deletes the hash (the worker leaves the fleet view at once). */
  close(): Promise<void>;
}

/**
 * Publishes a worker's status hash (host, backend, busy, slots, samplesPerSec, updatedAt) from
 * its metrics, so the dashboard's fleet view shows the same figures as Prometheus:
 * `samplesPerSec` is the rate of hpo_training_samples_total over the last `windowMs`.
 */
export function startWorkerStatus(options: WorkerStatusOptions): WorkerStatus {
  const intervalMs = options.intervalMs ?? 5000;
  const windowMs = options.windowMs ?? 30_000;
  const now = options.now ?? Date.now;
  const history: [number, number][] = [];
  let closed = false;

  const publish = async () => {
    if (closed) return;
    const t = now();
    const snap = options.metrics.snapshot();
    history.push([t, snap.samplesTotal]);
    while (history.length > 2 && (history[1]?.[0] ?? t) <= t - windowMs) history.shift();
    const [t0, s0] = history[0] ?? [t, snap.samplesTotal];
    const rate = t > t0 ? ((snap.samplesTotal - s0) * 1000) / (t - t0) : 0;
    try {
      await options.redis.hset(options.key, {
        host: options.host,
        backend: snap.backend ?? "",
        busy: String(snap.busy),
        slots: String(snap.slots),
        samplesPerSec: String(Math.round(rate * 10) / 10),
        updatedAt: String(t),
      });
      await options.redis.pexpire(options.key, intervalMs * 3);
    } catch (error) {
      options.onError?.(error);
    }
  };
  const timer = setInterval(() => void publish(), intervalMs);
  timer.unref();
  void publish();
  return {
    publish,
    async close() {
      closed = true;
      clearInterval(timer);
      await options.redis.del(options.key).catch((error: unknown) => options.onError?.(error));
    },
  };
}
