import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { writePrometheusConfig } from "../../apps/cli/src/local-prometheus.ts";
import { freePort } from "../../apps/cli/src/net-utils.ts";
import { type Proc, spawnProc } from "../helpers/processes.ts";
import { INFRA } from "./infra-files.ts";

const run = promisify(execFile);

/** Paths of the prometheus and promtool binaries, or throws naming the missing one. */
export async function prometheusBinaries(): Promise<{ prometheus: string; promtool: string }> {
  const which = async (bin: string) => {
    try {
      return (await run("which", [bin])).stdout.trim();
    } catch {
      throw new Error(`${bin} not found on PATH: install Debian's prometheus package (apt-get install -y prometheus)`);
    }
  };
  return { prometheus: await which("prometheus"), promtool: await which("promtool") };
}

/** Runs promtool; resolves with its output, rejects with it when promtool exits non-zero. */
export async function promtool(args: readonly string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run("promtool", [...args]);
    return stdout + stderr;
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`promtool ${args.join(" ")} failed: ${err.stdout ?? ""}${err.stderr ?? err.message}`);
  }
}

export interface TestConfigOptions {
  readonly dir: string;
  readonly coordinator: string;
  readonly sdDir: string;
  /** Scrape and rule evaluation interval. Default "1s". */
  readonly interval?: string;
}

/**
 * Writes `${dir}/prometheus.yml` the way `hpo up` does (writePrometheusConfig: the shipped
 * infra/prometheus config and alert rules, real addresses substituted) with the test's interval.
 */
export function writeTestConfig(options: TestConfigOptions): string {
  return writePrometheusConfig({
    infraDir: join(INFRA, "prometheus"),
    dir: options.dir,
    coordinator: options.coordinator,
    sdDir: options.sdDir,
    interval: options.interval ?? "1s",
  });
}

export interface PrometheusServer {
  readonly url: string;
  readonly process: Proc;
  close(): Promise<void>;
}

/** Starts Prometheus on a free loopback port with its TSDB in `dir`; resolves when it is ready. */
export async function startPrometheus(configPath: string, dir: string): Promise<PrometheusServer> {
  const port = await freePort();
  const args = [
    `--config.file=${configPath}`,
    `--storage.tsdb.path=${join(dir, "data")}`,
    `--web.listen-address=127.0.0.1:${port}`,
    "--web.enable-lifecycle",
    "--log.level=info",
  ];
  const process = spawnProc("prometheus", args, {}, "prometheus", { logFile: join(dir, "prometheus.log") });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (process.child.exitCode !== null || Date.now() > deadline) {
      await process.stop("SIGTERM", 15_000);
      throw new Error(`prometheus did not become ready; last lines:\n${process.lines.slice(-20).join("\n")}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, process, close: async () => void (await process.stop("SIGTERM", 15_000)) };
}
