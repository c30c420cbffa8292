import type { IncomingMessage, ServerResponse } from "node:http";
import type { Registry } from "prom-client";

/**
 * A `(req, res)` handler that answers with the registry in Prometheus text format. Works as a
 * node:http request listener and as an express route handler (`app.get("/metrics", handler)`).
 * A collection error answers 500 with the message as plain text.
 */
export function createMetricsHandler(registry: Registry): (req: IncomingMessage, res: ServerResponse) => void {
  return (_req, res) => {
    registry.metrics().then(
      (body) => {
        res.statusCode = 200;
        res.setHeader("Content-Type", registry.contentType);
        res.end(body);
      },
      (error: unknown) => {
        res.statusCode = 500;
        res.setHeader("Content-Type", "text/plain; charset=utf-8");
        res.end(`metrics: collecting the registry failed: ${error instanceof Error ? error.message : String(error)}\n`);
      },
    );
  };
}
