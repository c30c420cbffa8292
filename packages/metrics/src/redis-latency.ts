import type { Registry } from "prom-client";
import { FAST_BUCKETS } from "./buckets.ts";
import { FAMILIES } from "./families.ts";
import { counterOf, histogramOf } from "./metric-of.ts";

/** What the latency probe needs of a Redis client (an ioredis instance fits). */
export interface Pingable {
  ping(): Promise<unknown>;
}

export interface RedisLatencyOptions {
  /** A PING slower than this counts as an error and is not observed. Default 2000 ms. */
  readonly timeoutMs?: number;
}

/**
 * Registers hpo_redis_command_duration_seconds{command="ping"} and
 * hpo_redis_command_errors_total{command="ping"}: every scrape sends one PING on `redis` and
 * observes its round trip, so each process reports its own latency to Redis with no timer to
 * stop. A PING that fails or times out (a worker connection with `maxRetriesPerRequest: null`
 * waits forever while Redis is down) is counted as an error and never blocks the scrape.
 */
export function registerRedisLatency(registry: Registry, redis: Pingable, options: RedisLatencyOptions = {}): void {
  const timeoutMs = options.timeoutMs ?? 2000;
  const labels = { command: "ping" };
  // The registry collects all metrics concurrently: both collect() callbacks of one scrape
  // share a single PING, so its error (if any) shows in the same scrape.
  let pending: Promise<void> | undefined;
  const probe = (): Promise<void> => {
    pending ??= ping().finally(() => {
      pending = undefined;
    });
    return pending;
  };
  const histogram = histogramOf(registry, FAMILIES.redisCommandDuration, FAST_BUCKETS, probe);
  const errors = counterOf(registry, FAMILIES.redisErrors, probe);
  errors.inc(labels, 0);

  async function ping(): Promise<void> {
    const start = process.hrtime.bigint();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), timeoutMs);
    });
    try {
      const result = await Promise.race([redis.ping(), timeout]);
      if (result === "timeout") errors.inc(labels);
      else histogram.observe(labels, Number(process.hrtime.bigint() - start) / 1e9);
    } catch {
      errors.inc(labels);
    } finally {
      clearTimeout(timer);
    }
  }
}
