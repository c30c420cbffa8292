import { describe, expect, it } from "vitest";
import { createMetricsRegistry } from "./registry.ts";
import { createWorkerMetrics } from "./worker-metrics.ts";
import { startWorkerStatus } from "./worker-status.ts";

class FakeRedis {
  readonly hashes = new Map<string, Record<string, string>>();
  readonly ttl = new Map<string, number>();
  async hset(key: string, fields: Record<string, string>) {
    this.hashes.set(key, { ...this.hashes.get(key), ...fields });
  }
  async pexpire(key: string, ms: number) {
    this.ttl.set(key, ms);
  }
  async del(key: string) {
    this.hashes.delete(key);
  }
}

describe("startWorkerStatus", () => {
  it("publishes the worker's figures from its metrics, samples per second over the window", async () => {
    const registry = createMetricsRegistry({ role: "worker", process: "w", defaultMetrics: false });
    const metrics = createWorkerMetrics(registry, { concurrency: 2 });
    const redis = new FakeRedis();
    let t = 1_000_000;
    const status = startWorkerStatus({
      redis,
      key: "p:worker:w",
      metrics,
      host: "gpu-3",
      intervalMs: 60_000,
      windowMs: 10_000,
      now: () => t,
    });
    await status.publish();
    expect(redis.hashes.get("p:worker:w")).toMatchObject({
      host: "gpu-3",
      backend: "",
      busy: "0",
      slots: "2",
      samplesPerSec: "0",
    });
    expect(redis.ttl.get("p:worker:w")).toBe(180_000);

    metrics.tfjs("wasm", 3);
    const done = metrics.trialStarted();
    metrics.epochFinished(0.1, 500);
    t += 5_000;
    await status.publish();
    expect(redis.hashes.get("p:worker:w")).toMatchObject({
      backend: "wasm",
      busy: "1",
      samplesPerSec: "100",
      updatedAt: String(t),
    });

    done();
    t += 20_000; // the 500 samples fall out of the 10 s window
    await status.publish();
    t += 1_000;
    await status.publish();
    expect(redis.hashes.get("p:worker:w")).toMatchObject({ busy: "0", samplesPerSec: "0" });

    await status.close();
    expect(redis.hashes.has("p:worker:w")).toBe(false);
  });

  it("keeps going when Redis fails", async () => {
    const registry = createMetricsRegistry({ role: "worker", process: "w", defaultMetrics: false });
    const errors: unknown[] = [];
    const status = startWorkerStatus({
      redis: {
        hset: () => Promise.reject(new Error("ECONNREFUSED")),
        pexpire: async () => 0,
        del: () => Promise.reject(new Error("ECONNREFUSED")),
      },
      key: "k",
      metrics: createWorkerMetrics(registry),
      host: "h",
      intervalMs: 60_000,
      onError: (e) => errors.push(e),
    });
    await status.publish();
    await status.close();
    expect(errors.length).toBeGreaterThanOrEqual(2);
  });
});
