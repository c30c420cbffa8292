import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { writeFileSdTarget } from "./file-sd.ts";
import { type MetricsServer, startMetricsServer } from "./metrics-server.ts";
import { createMetricsRegistry } from "./registry.ts";
import { advertisedHost, serveWorkerMetrics } from "./worker-endpoint.ts";
import { createWorkerMetrics } from "./worker-metrics.ts";

describe("startMetricsServer", () => {
  let server: MetricsServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("serves the registry in the Prometheus text format on an ephemeral port, with default metrics", async () => {
    const registry = createMetricsRegistry({ role: "worker", process: "w9" });
    createWorkerMetrics(registry).trialStarted();
    server = await startMetricsServer(0, registry);
    expect(server.port).toBeGreaterThan(0);
    const res = await fetch(`http://127.0.0.1:${server.port}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain; version=0.0.4");
    const body = await res.text();
    expect(body).toContain('hpo_worker_busy{role="worker",process="w9"} 1');
    expect(body).toMatch(/^process_cpu_seconds_total\{role="worker",process="w9"\} /m);
    expect(body).toContain("nodejs_heap_size_used_bytes");
    expect((await fetch(`http://127.0.0.1:${server.port}/other`)).status).toBe(404);
  });

  it("rejects when the port is taken", async () => {
    const registry = createMetricsRegistry({ role: "worker", process: "w", defaultMetrics: false });
    server = await startMetricsServer(0, registry);
    await expect(startMetricsServer(server.port, registry)).rejects.toThrow(/EADDRINUSE/);
  });
});

describe("writeFileSdTarget", () => {
  it("writes a file_sd JSON target and removes it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hpo-sd-"));
    try {
      const target = await writeFileSdTarget(join(dir, "targets"), "host-1:234", "127.0.0.1:9400", { role: "worker" });
      expect(target.path).toBe(join(dir, "targets", "host-1_234.json"));
      expect(JSON.parse(await readFile(target.path, "utf8"))).toEqual([
        { targets: ["127.0.0.1:9400"], labels: { role: "worker" } },
      ]);
      await target.remove();
      await target.remove();
      await expect(stat(target.path)).rejects.toThrow(/ENOENT/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("serveWorkerMetrics", () => {
  it("serves the registry, announces it in a file_sd target and removes the target on close", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hpo-sd-"));
    try {
      const registry = createMetricsRegistry({ role: "worker", process: "gpu-1", defaultMetrics: false });
      createWorkerMetrics(registry);
      const endpoint = await serveWorkerMetrics({ registry, name: "gpu-1", sdDir: dir });
      expect(endpoint.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      const [group] = JSON.parse(await readFile(endpoint.sdFile ?? "", "utf8")) as {
        targets: string[];
        labels: object;
      }[];
      expect(group?.targets).toEqual([endpoint.target]);
      expect(group?.labels).toEqual({ worker: "gpu-1" });
      expect(await (await fetch(endpoint.url)).text()).toContain('hpo_worker_busy{role="worker",process="gpu-1"} 0');
      await endpoint.close();
      await expect(stat(endpoint.sdFile ?? "")).rejects.toThrow(/ENOENT/);
      await expect(fetch(endpoint.url)).rejects.toThrow();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("advertises an external address when bound to a wildcard", () => {
    expect(advertisedHost("127.0.0.1")).toBe("127.0.0.1");
    expect(advertisedHost("0.0.0.0")).not.toBe("0.0.0.0");
  });
});
