import { hostname, networkInterfaces } from "node:os";
import type { Registry } from "prom-client";
import { writeFileSdTarget } from "./file-sd.ts";
import { startMetricsServer } from "./metrics-server.ts";

export interface WorkerEndpointOptions {
  readonly registry: Registry;
  /** Worker name (HPO_WORKER_NAME): the file_sd file name and its `worker` label. */
  readonly name: string;
  /** HPO_METRICS_PORT; 0 (default) picks an ephemeral port. */
  readonly port?: number;
  /** HPO_METRICS_HOST, the bind address. Default 127.0.0.1; 0.0.0.0 for a remote Prometheus. */
  readonly host?: string;
  /** HPO_METRICS_SD_DIR: when set, a file_sd target is written there and removed on close. */
  readonly sdDir?: string;
  /** HPO_METRICS_ADVERTISE_HOST: host written into the target. Default: see `advertisedHost`. */
  readonly advertiseHost?: string;
}

export interface WorkerEndpoint {
  /** e.g. http://127.0.0.1:41234/metrics */
  readonly url: string;
  /** `host:port` as Prometheus should scrape it. */
  readonly target: string;
  /** The file_sd file, when one was written. */
  readonly sdFile?: string;
  /** Removes the file_sd target (first, so Prometheus stops scraping), then stops the server. */
  close(): Promise<void>;
}

/**
 * The host other machines reach a server bound to `bindHost` at: `bindHost` itself unless it is
 * a wildcard (0.0.0.0, ::), else the first external IPv4 address (containers, LAN hosts), else
 * the hostname.
 */
export function advertisedHost(bindHost: string): string {
  if (bindHost !== "0.0.0.0" && bindHost !== "::") return bindHost;
  for (const addresses of Object.values(networkInterfaces())) {
    const external = addresses?.find((a) => a.family === "IPv4" && !a.internal);
    if (external) return external.address;
  }
  return hostname();
}

/**
 * Starts a worker process's own `/metrics` server and, with `sdDir`, announces it to Prometheus
 * through a file_sd target `${sdDir}/${name}.json` labelled `{ worker: name }` (the series carry `role` and `process` themselves; a target `role` label would clash with them).
 * Rejects if the port cannot be bound or the target cannot be written (the server is closed).
 */
export async function serveWorkerMetrics(options: WorkerEndpointOptions): Promise<WorkerEndpoint> {
  const host = options.host ?? "127.0.0.1";
  const server = await startMetricsServer(options.port ?? 0, options.registry, host);
  const advertised = options.advertiseHost || advertisedHost(host);
  const target = `${advertised.includes(":") ? `[${advertised}]` : advertised}:${server.port}`;
  let sd: Awaited<ReturnType<typeof writeFileSdTarget>> | undefined;
  if (options.sdDir) {
    try {
      sd = await writeFileSdTarget(options.sdDir, options.name, target, { worker: options.name });
    } catch (error) {
      await server.close();
      throw error;
    }
  }
  return {
    url: `http://${target}/metrics`,
    target,
    ...(sd && { sdFile: sd.path }),
    async close() {
      await sd?.remove();
      await server.close();
    },
  };
}
