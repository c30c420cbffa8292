import { describe, expect, it } from "vitest";
import { registerRedisLatency } from "./redis-latency.ts";
import { createMetricsRegistry } from "./registry.ts";
import { sampleValue } from "./testing/exposition.ts";

function registry() {
  return createMetricsRegistry({ role: "worker", process: "w", defaultMetrics: false });
}

describe("registerRedisLatency", () => {
  it("pings once per scrape and observes the round trip", async () => {
    const reg = registry();
    let pings = 0;
    registerRedisLatency(reg, { ping: async () => ++pings });
    await reg.metrics();
    const text = await reg.metrics();
    expect(pings).toBe(2);
    expect(sampleValue(text, "hpo_redis_command_duration_seconds_count", { command: "ping", process: "w" })).toBe(2);
    expect(sampleValue(text, "hpo_redis_command_errors_total", { command: "ping" })).toBe(0);
  });

  it("counts a failing or hanging PING as an error without blocking the scrape", async () => {
    const reg = registry();
    let calls = 0;
    registerRedisLatency(
      reg,
      { ping: () => (++calls === 1 ? Promise.reject(new Error("ECONNREFUSED")) : new Promise<never>(() => {})) },
      { timeoutMs: 50 },
    );
    await reg.metrics();
    const text = await reg.metrics();
    expect(sampleValue(text, "hpo_redis_command_errors_total", { command: "ping" })).toBe(2);
    expect(sampleValue(text, "hpo_redis_command_duration_seconds_count")).toBeUndefined();
  });
});
