import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { hostname } from "node:os";
import { basename, delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { HpoError, isSourceModule } from "@hpo/core";
import { ApiClient } from "./api-client.ts";
import { CONFIG_DIR } from "./config.ts";
import { parseLogLine } from "./format/log-line.ts";
import {
  findPrometheus,
  infraPrometheusDir,
  type LocalPrometheus,
  startLocalPrometheus,
  writePrometheusConfig,
} from "./local-prometheus.ts";
import { type RedisHandle, resolveRedis } from "./local-redis.ts";
import { ManagedProcess, type ProcessExit } from "./managed-process.ts";
import { hostPort, portIsFree, redactUrl } from "./net-utils.ts";
import { ensureToken, ephemeralToken, type TokenOrigin } from "./token-file.ts";

/** A child that exits on its own is restarted at most this many times. */
const MAX_RESTARTS = 3;

/** Root of the monorepo (apps/cli/src → ../../..; the build, apps/cli/dist, is at the same depth). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/** Options of `startStack`. */
export interface StackOptions {
  /** Number of worker processes; default 2. */
  readonly workers?: number;
  /** Coordinator port; default 8080. */
  readonly port?: number;
  /** Coordinator host; default 127.0.0.1. */
  readonly host?: string;
  /** Working directory of the children and home of `.hpo/` (token, private Redis data). */
  readonly cwd: string;
  /** Environment passed to the children (plus the CONTRACTS variables set here). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Every output line of every child, by process name ("coordinator", "worker-1", "redis"). */
  readonly onLine: (name: string, line: string) => void;
  /** Stack events worth telling the user ("redis: ...", "worker-2 exited ..."). */
  readonly notice: (line: string) => void;
  /**
   * "file" (default): HPO_TOKEN, else `.hpo/token`, else a new token written there, so that later
   * CLI calls in this folder find it. "ephemeral": HPO_TOKEN, else a random token kept in memory
   * only (the demo: nothing on disk turns on auth for other processes started in this folder).
   */
  readonly tokenMode?: "file" | "ephemeral";
  /** Aborting it while the stack starts stops what was started and throws HpoError INTERNAL "interrupted". */
  readonly signal?: AbortSignal;
  /** How long to wait for GET /healthz; default 90 000 ms. */
  readonly readyTimeoutMs?: number;
  /**
   * Also start the system's `prometheus` on `.hpo/prometheus/prometheus.yml` (data in
   * `.hpo/prometheus/data`), stopped with the stack; default false. Checked first: without the
   * binary, `startStack` throws before starting anything.
   */
  readonly monitor?: boolean;
  /**
   * GPU ids for program trials (`hpo up --gpus 0,1`): shared out among the workers round robin
   * (HPO_GPUS of each), so no GPU is given to two workers; a worker left without one runs its
   * fold processes without CUDA_VISIBLE_DEVICES.
   */
  readonly gpus?: readonly string[];
  /** Fold processes per worker at once (HPO_SLOTS); default: the worker's core count. */
  readonly slots?: number;
}

/** A running local stack: Redis (found or private), one coordinator, N workers. */
export interface Stack {
  readonly url: string;
  /** The browser dashboard the coordinator serves at `/`, when it has been built (apps/dashboard/dist). */
  readonly dashboardUrl?: string;
  readonly token: string;
  readonly tokenOrigin: TokenOrigin;
  /** The token file, when the token came from or went to one. */
  readonly tokenPath?: string;
  /**
   * `.hpo/prometheus/prometheus.yml`: the shipped infra/prometheus config with this stack's
   * coordinator and workers as targets and infra/prometheus/alerts.yml as rules.
   */
  readonly prometheusConfig: string;
  /** Where the workers write their file_sd targets (HPO_METRICS_SD_DIR, default `.hpo/prometheus/targets`). */
  readonly metricsSdDir: string;
  /** The local Prometheus, with `monitor`. */
  readonly prometheusUrl?: string;
  readonly redis: RedisHandle;
  readonly prefix: string;
  /** Resolves when the coordinator keeps exiting on its own and is no longer restarted; the stack is then unusable. */
  readonly coordinatorExited: Promise<ProcessExit>;
  /** Stops workers and coordinator (SIGTERM, then SIGKILL after the grace period), then a private Redis. */
  close(graceMs?: number): Promise<void>;
  /** SIGKILL everything at once (second Ctrl-C). */
  kill(): void;
}

/**
 * Starts the local stack in the foreground: resolves Redis (see `resolveRedis`), ensures a token
 * (HPO_TOKEN or `.hpo/token`), starts the coordinator and N workers (`node apps/<app>/dist/main.js`,
 * or `node --import tsx apps/<app>/src/main.ts` when this CLI runs from source) with the env of
 * docs/CONTRACTS.md, and waits for GET /healthz.
 * Every worker serves `/metrics` on an ephemeral port and announces it as a file_sd target in
 * `.hpo/prometheus/targets/` (or HPO_METRICS_SD_DIR); `.hpo/prometheus/prometheus.yml` scrapes
 * them and the coordinator, and with `monitor` a local Prometheus runs on it.
 * A worker, or the coordinator once it has been healthy, that exits on its own is restarted 2 s
 * later, at most 3 times; then `coordinatorExited` resolves (the caller stops the stack).
 * Throws HpoError UNAVAILABLE when Redis (or, with `monitor`, prometheus) is missing, CONFLICT
 * when the port is taken, INTERNAL
 * when the coordinator exits or is not ready in time (with its last log lines); everything
 * started so far is stopped before it throws.
 */
export async function startStack(options: StackOptions): Promise<Stack> {
  const workers = options.workers ?? 2;
  const port = options.port ?? 8080;
  const host = options.host ?? "127.0.0.1";
  const coordinatorMain = appMain("coordinator");
  const workerMain = appMain("worker");
  for (const file of [coordinatorMain, workerMain]) {
    if (!existsSync(file)) {
      throw new HpoError(
        "INTERNAL",
        `hpo up: ${file} is missing: the local stack runs the coordinator and workers of a checkout of the hpo repository (${existsSync(join(REPO_ROOT, "apps")) ? "build them with `pnpm build`" : "run `pnpm hpo up` there; this installation holds only the CLI"})`,
      );
    }
  }
  if (!(await portIsFree(port, host))) {
    throw new HpoError(
      "CONFLICT",
      `hpo up: port ${port} on ${host} is already in use (another \`pnpm hpo up\`?): stop it or pass --port`,
    );
  }
  const prometheusBin = options.monitor ? findPrometheus(options.env.PATH) : undefined;

  if (options.signal?.aborted) throw interrupted();
  const redis = await resolveRedis({ env: options.env, cwd: options.cwd, onLine: options.onLine });
  if (options.signal?.aborted) {
    await redis.close();
    throw interrupted();
  }
  options.notice(
    `redis: ${redactUrl(redis.url)} (${{ env: "from REDIS_URL", local: "found running", private: "private redis-server, data in .hpo/redis" }[redis.origin]})`,
  );
  const {
    token,
    origin: tokenOrigin,
    path: tokenPath,
  } = options.tokenMode === "ephemeral" ? ephemeralToken(options.env) : ensureToken(options.cwd, options.env);
  const prefix = options.env.HPO_PREFIX?.trim() || "hpo";
  const url = `http://${hostPort(host, port)}`;
  const monitorDir = join(options.cwd, CONFIG_DIR, "prometheus");
  const sdDirFromEnv = options.env.HPO_METRICS_SD_DIR?.trim();
  const metricsSdDir = sdDirFromEnv || join(monitorDir, "targets");
  if (!sdDirFromEnv) clearTargets(metricsSdDir); // a folder of the user's may list other workers
  const baseEnv = {
    ...options.env,
    REDIS_URL: redis.url,
    HPO_PREFIX: prefix,
    HPO_TOKEN: token,
    HPO_PORT: String(port),
    HPO_HOST: host,
    // CSV datasets: ./data of the working folder and the repo's examples/data, unless set.
    HPO_DATA_DIRS:
      options.env.HPO_DATA_DIRS?.trim() ||
      [join(options.cwd, "data"), join(REPO_ROOT, "examples/data")].join(delimiter),
    // programs of program sweeps: the working folder, unless set
    HPO_PROGRAM_DIRS: options.env.HPO_PROGRAM_DIRS?.trim() || options.cwd,
    ...(options.slots !== undefined && { HPO_SLOTS: String(options.slots) }),
    // model modules: the working folder (and what is under it), unless set
    HPO_MODEL_DIRS: options.env.HPO_MODEL_DIRS?.trim() || options.cwd,
  };
  // One node process each, running what this CLI runs: the build, or the sources through tsx.
  const loader = isSourceModule(import.meta.url) ? ["--import", import.meta.resolve("tsx")] : [];
  const node = (name: string, main: string, env: Record<string, string | undefined>) =>
    new ManagedProcess({
      name,
      command: process.execPath,
      args: [...loader, main],
      cwd: options.cwd,
      env,
      onLine: options.onLine,
    });

  let coordinator = node("coordinator", coordinatorMain, baseEnv);
  const workerProcs: ManagedProcess[] = [];
  let prometheus: LocalPrometheus | undefined;
  let closing = false;
  const stopAll = async (graceMs = 15_000) => {
    closing = true;
    await Promise.all(workerProcs.map((w) => w.stop(graceMs)));
    await coordinator.stop(graceMs);
    await prometheus?.close();
    await redis.close();
  };
  /** Restarts a process that exits on its own: 2 s later, at most MAX_RESTARTS times. */
  const restartOnExit = (
    proc: ManagedProcess,
    restarts: number,
    respawn: () => ManagedProcess,
    onGiveUp?: (exit: ProcessExit) => void,
  ) => {
    void proc.exited.then((exit) => {
      if (closing) return;
      const tail = tailOf(proc, 10);
      if (restarts >= MAX_RESTARTS) {
        options.notice(
          `${exit.name} exited (${describeExit(exit)}) ${restarts + 1} times: giving up; last lines:\n${tail}`,
        );
        onGiveUp?.(exit);
        return;
      }
      options.notice(`${exit.name} exited (${describeExit(exit)}); restarting it in 2 s; last lines:\n${tail}`);
      setTimeout(() => {
        if (!closing) restartOnExit(respawn(), restarts + 1, respawn, onGiveUp);
      }, 2_000);
    });
  };

  const host_ = hostname();
  // Workers need only Redis: they boot while the coordinator does.
  for (let i = 1; i <= workers; i++) {
    const spawnWorker = () => {
      const gpus = options.gpus?.filter((_, j) => j % workers === i - 1);
      const w = node(`worker-${i}`, workerMain, {
        ...baseEnv,
        ...(gpus && { HPO_GPUS: gpus.join(",") }),
        HPO_WORKER_NAME: `${host_}-w${i}`,
        HPO_METRICS_SD_DIR: metricsSdDir,
      });
      workerProcs[i - 1] = w;
      return w;
    };
    restartOnExit(spawnWorker(), 0, spawnWorker);
  }
  const scrapeHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  const prometheusConfig = writePrometheusConfig({
    infraDir: infraPrometheusDir(REPO_ROOT),
    dir: monitorDir,
    coordinator: hostPort(scrapeHost, port),
    sdDir: metricsSdDir,
  });
  try {
    await waitHealthy(url, coordinator, options.readyTimeoutMs ?? 90_000, options.signal);
    if (prometheusBin) {
      prometheus = await startLocalPrometheus({
        bin: prometheusBin,
        configPath: prometheusConfig,
        dataDir: join(monitorDir, "data"),
        cwd: options.cwd,
        env: options.env,
        onLine: options.onLine,
      });
    }
  } catch (e) {
    await stopAll(5_000);
    throw e;
  }
  // Once it has been healthy, a coordinator that dies is restarted too: its state is in Redis.
  let resolveGaveUp: (exit: ProcessExit) => void = () => {};
  const coordinatorGaveUp = new Promise<ProcessExit>((resolve) => {
    resolveGaveUp = resolve;
  });
  restartOnExit(
    coordinator,
    0,
    () => {
      coordinator = node("coordinator", coordinatorMain, baseEnv);
      return coordinator;
    },
    resolveGaveUp,
  );

  const dashboardBuilt = existsSync(join(REPO_ROOT, "apps/dashboard/dist/index.html"));
  return {
    url,
    ...(dashboardBuilt ? { dashboardUrl: `${url}/` } : {}),
    token,
    tokenOrigin,
    ...(tokenPath !== undefined ? { tokenPath } : {}),
    redis,
    prefix,
    prometheusConfig,
    metricsSdDir,
    ...(prometheus && { prometheusUrl: prometheus.url }),
    coordinatorExited: coordinatorGaveUp,
    close: stopAll,
    kill: () => {
      closing = true;
      for (const w of workerProcs) w.kill();
      coordinator.kill();
      prometheus?.process.kill();
    },
  };
}

/**
 * The entry of an app the stack runs, from the same build as this CLI: `apps/<app>/dist/main.js`
 * when the CLI runs from apps/cli/dist (tools/build.mjs; a test's own build folder likewise),
 * `apps/<app>/src/main.ts` when it runs from source (then children run through tsx).
 */
function appMain(app: "coordinator" | "worker"): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return join(REPO_ROOT, "apps", app, basename(here), isSourceModule(import.meta.url) ? "main.ts" : "main.js");
}

async function waitHealthy(
  url: string,
  coordinator: ManagedProcess,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  const client = new ApiClient({ url });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (signal?.aborted) throw interrupted();
    if (!coordinator.running) {
      throw new HpoError(
        "INTERNAL",
        `hpo up: the coordinator exited before it was ready; its last lines:\n${tailOf(coordinator, 20)}`,
      );
    }
    if (await client.healthy()) return;
    if (Date.now() > deadline) {
      throw new HpoError(
        "INTERNAL",
        `hpo up: the coordinator did not answer GET ${url}/healthz within ${Math.round(timeoutMs / 1000)} s; its last lines:\n${tailOf(coordinator, 20)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The last lines of a child, pino JSON made readable, indented. */
function tailOf(proc: ManagedProcess, n: number): string {
  return proc
    .recentLines(n)
    .map((l) => `  ${parseLogLine(l).text}`)
    .join("\n");
}

/**
 * Removes the file_sd targets a previous stack left in `dir` (workers that were killed never
 * delete theirs), so Prometheus does not report workers that no longer exist as down.
 */
function clearTargets(dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(dir)) if (f.endsWith(".json")) rmSync(join(dir, f), { force: true });
}

function interrupted(): HpoError {
  return new HpoError("INTERNAL", "hpo up: interrupted while starting the stack");
}

function describeExit(exit: ProcessExit): string {
  return exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
}
