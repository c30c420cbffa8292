import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { HpoError } from "@hpo/core";
import { parse, stringify } from "yaml";
import { ManagedProcess } from "./managed-process.ts";
import { findOnPath, freePort, portIsFree } from "./net-utils.ts";

/** Printed by `hpo up --monitor` when there is no `prometheus` on PATH. */
export const INSTALL_PROMETHEUS_MESSAGE = [
  "hpo up --monitor starts the system's Prometheus and found no `prometheus` on PATH. Install it, then run the command again:",
  "  Debian/Ubuntu:  sudo apt-get install -y prometheus",
  "  macOS:          brew install prometheus",
  "or run `hpo up` without --monitor and point your own Prometheus at .hpo/prometheus/prometheus.yml.",
].join("\n");

/** The shipped config (jobs, metrics paths) and alert rules the local Prometheus uses. */
export function infraPrometheusDir(repoRoot: string): string {
  return join(repoRoot, "infra/prometheus");
}

/** Options of `writePrometheusConfig`. */
export interface PrometheusConfigOptions {
  /** infra/prometheus of the checkout: prometheus.yml is read from it, its rule files are referenced there. */
  readonly infraDir: string;
  /** Folder the config is written to, as `prometheus.yml`. */
  readonly dir: string;
  /** `host:port` of the coordinator's /metrics (the job hpo-coordinator). */
  readonly coordinator: string;
  /** Folder of the workers' file_sd targets (`*.json`, the job hpo-worker). */
  readonly sdDir: string;
  /** Scrape, rule evaluation and file_sd refresh interval, and scrape timeout; default "5s". */
  readonly interval?: string;
}

/**
 * Writes `${dir}/prometheus.yml`: infra/prometheus/prometheus.yml with the coordinator's real
 * address, the workers' file_sd folder, absolute paths to its rule files (alerts.yml) and
 * `interval` for scraping and evaluation. Jobs and metrics paths are the shipped ones, so the
 * alerts and the Grafana dashboard work unchanged. Returns the file's path; throws the fs or YAML
 * error when infra/prometheus/prometheus.yml cannot be read.
 */
export function writePrometheusConfig(options: PrometheusConfigOptions): string {
  type Job = {
    static_configs?: { targets: string[] }[];
    file_sd_configs?: { files: string[]; refresh_interval?: string }[];
  };
  const config = parse(readFileSync(join(options.infraDir, "prometheus.yml"), "utf8")) as {
    global: Record<string, unknown>;
    rule_files: string[];
    scrape_configs: Job[];
  };
  const interval = options.interval ?? "5s";
  config.global.scrape_interval = interval;
  config.global.evaluation_interval = interval;
  config.global.scrape_timeout = interval;
  config.rule_files = config.rule_files.map((f) => join(options.infraDir, f));
  for (const job of config.scrape_configs) {
    for (const s of job.static_configs ?? []) s.targets = [options.coordinator];
    for (const f of job.file_sd_configs ?? []) {
      f.files = [join(options.sdDir, "*.json")];
      f.refresh_interval = interval;
    }
  }
  mkdirSync(options.dir, { recursive: true });
  const path = join(options.dir, "prometheus.yml");
  writeFileSync(path, stringify(config));
  return path;
}

/** A Prometheus started by `startLocalPrometheus`. */
export interface LocalPrometheus {
  /** e.g. http://127.0.0.1:9090 */
  readonly url: string;
  readonly process: ManagedProcess;
  /** SIGTERM (Prometheus flushes its head block), SIGKILL after `graceMs` (default 10 000). */
  close(graceMs?: number): Promise<void>;
}

/** Where `prometheus` is, or throws HpoError UNAVAILABLE with INSTALL_PROMETHEUS_MESSAGE. */
export function findPrometheus(pathVar?: string): string {
  const bin = findOnPath("prometheus", pathVar);
  if (!bin) throw new HpoError("UNAVAILABLE", INSTALL_PROMETHEUS_MESSAGE);
  return bin;
}

/**
 * Starts `bin --config.file=<configPath>` with its TSDB in `${dataDir}`, listening on 127.0.0.1
 * port 9090, or a free port when 9090 is taken, and waits until `/-/ready` answers (30 s).
 * Throws HpoError UNAVAILABLE with Prometheus's last lines when it exits or is not ready in time
 * (the process is stopped first).
 */
export async function startLocalPrometheus(options: {
  readonly bin: string;
  readonly configPath: string;
  readonly dataDir: string;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly onLine: (name: string, line: string) => void;
  readonly readyTimeoutMs?: number;
}): Promise<LocalPrometheus> {
  const port = (await portIsFree(9090)) ? 9090 : await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = new ManagedProcess({
    name: "prometheus",
    command: options.bin,
    args: [
      `--config.file=${options.configPath}`,
      `--storage.tsdb.path=${options.dataDir}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    cwd: options.cwd,
    env: options.env,
    onLine: options.onLine,
  });
  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  for (;;) {
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (!proc.running || Date.now() > deadline) {
      await proc.stop(2_000);
      throw new HpoError(
        "UNAVAILABLE",
        `prometheus (${options.bin}) did not become ready on ${url}; its last lines:\n${proc.recentLines(15).join("\n")}`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    process: proc,
    close: async (graceMs = 10_000) => {
      await proc.stop(graceMs);
    },
  };
}
