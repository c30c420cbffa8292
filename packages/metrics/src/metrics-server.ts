import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import { createMetricsHandler } from "./metrics-handler.ts";

export interface MetricsServer {
  /** The bound port (the real one when 0 was asked). */
  readonly port: number;
  readonly host: string;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

/**
 * Serves `registry` on `GET /metrics` (and 404 elsewhere) with node:http, for processes without
 * an HTTP app (workers). `port` 0 picks an ephemeral port. `host` defaults to 127.0.0.1; use
 * 0.0.0.0 when Prometheus runs on another machine. Rejects if the port cannot be bound.
 */
export async function startMetricsServer(port: number, registry: Registry, host = "127.0.0.1"): Promise<MetricsServer> {
  const handler = createMetricsHandler(registry);
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "GET" && path === "/metrics") return handler(req, res);
    res.statusCode = 404;
    res.end("not found; metrics are at /metrics\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    port: bound,
    host,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
