/**
 * Shared pieces of the orchestration benchmarks (overhead, scale, worker saturation): the real
 * coordinator and worker processes on a private prefix of the shared Redis, CPU accounting per
 * process, argument parsing and the deps that only the apps declare (bullmq, ioredis).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { type Proc, REDIS_URL, spawnProc } from "../../test/helpers/processes.ts";

// bench/ is no workspace package: resolve the apps' own copies of bullmq and ioredis
const requireFromWorker = createRequire(new URL("../../apps/worker/package.json", import.meta.url));
export const bullmq = requireFromWorker("bullmq") as typeof import("bullmq");
export const { Redis } = requireFromWorker("ioredis") as typeof import("ioredis");
export type RedisClient = import("ioredis").Redis;
export { REDIS_URL };

/** `--name value` from argv, as a number (fallback when absent). */
export function numArg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : Number.NaN;
  return Number.isFinite(v) ? v : fallback;
}

/** `--name value` from argv, as a string. */
export function strArg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? (process.argv[i + 1] as string) : fallback;
}

export const flag = (name: string): boolean => process.argv.includes(`--${name}`);

/** User+system CPU seconds a process used so far (Linux /proc); 0 when unknown. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return 0;
  }
}

/** Resident set size of a process in MiB (Linux /proc); 0 when unknown. */
export function rssMiB(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1];
    return kb ? Number(kb) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Redis server CPU seconds (INFO cpu): shared Redis, so other users' load is included. */
export async function redisCpu(redis: RedisClient): Promise<number> {
  const info = await redis.info("cpu");
  const get = (k: string) => Number(new RegExp(`${k}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return get("used_cpu_user") + get("used_cpu_sys");
}

/** Total commands Redis processed (INFO stats); includes other users of the shared Redis. */
export async function redisCommands(redis: RedisClient): Promise<number> {
  const info = await redis.info("stats");
  return Number(/total_commands_processed:(\d+)/.exec(info)?.[1] ?? 0);
}

/**
 * Calls per command so far (INFO commandstats; scripts' inner calls are counted under their own
 * names, e.g. hset, besides evalsha): shared Redis, other users included.
 */
export async function redisCommandStats(redis: RedisClient): Promise<Record<string, number>> {
  const info = await redis.info("commandstats");
  const out: Record<string, number> = {};
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) out[m[1] as string] = Number(m[2]);
  return out;
}

/**
 * `spawnTs` with extra node flags (e.g. --cpu-prof, which NODE_OPTIONS refuses); the profile is
 * written when the process exits normally (SIGTERM → our apps exit(0)).
 */
function spawnWithFlags(entry: string, env: Record<string, string>, nodeArgs: readonly string[]): Proc {
  return spawnProc(process.execPath, [...nodeArgs, "--import", "tsx", entry], env, entry);
}

export interface Stack {
  readonly url: string;
  readonly coordinator: Proc;
  readonly workers: readonly Proc[];
  stop(): Promise<void>;
}

/** Starts `apps/coordinator/src/main.ts` and `workers` × `apps/worker/src/main.ts` on `prefix`. */
export async function startStack(opts: {
  prefix: string;
  workers: number;
  coordinatorEnv?: Record<string, string>;
  workerEnv?: Record<string, string>;
  /** Extra node flags, e.g. ["--cpu-prof", "--cpu-prof-dir=/tmp/p"]. */
  nodeArgs?: readonly string[];
}): Promise<Stack> {
  const nodeArgs = opts.nodeArgs ?? [];
  const coordinator = spawnWithFlags(
    "apps/coordinator/src/main.ts",
    {
      REDIS_URL,
      HPO_PREFIX: opts.prefix,
      HPO_PORT: "0",
      HPO_HOST: "127.0.0.1",
      ...opts.coordinatorEnv,
    },
    nodeArgs,
  );
  const workers = Array.from({ length: opts.workers }, (_, i) =>
    spawnWithFlags(
      "apps/worker/src/main.ts",
      { REDIS_URL, HPO_PREFIX: opts.prefix, HPO_WORKER_NAME: `bench-w${i + 1}`, ...opts.workerEnv },
      nodeArgs,
    ),
  );
  const all = [coordinator, ...workers];
  const stop = async () => {
    await Promise.all(all.map((p) => p.stop()));
  };
  // fail at once when a process exits before it is ready (waitForLog alone would wait out its timeout)
  const ready = (p: Proc, msg: string, timeoutMs: number) =>
    Promise.race([
      p.waitForLog((r) => r.msg === msg, msg, timeoutMs),
      p.exited.then((code) => {
        throw new Error(`a benchmark process exited with ${code} before "${msg}":\n${p.lines.slice(-5).join("\n")}`);
      }),
    ]);
  // workers are ready when BullMQ lists them (works at any LOG_LEVEL)
  const workersReady = async () => {
    const queue = new bullmq.Queue("trials", { connection: { url: REDIS_URL }, prefix: opts.prefix });
    try {
      const deadline = Date.now() + 90_000;
      while ((await queue.getWorkers()).length < workers.length) {
        const dead = workers.find((w) => w.child.exitCode !== null);
        if (dead) throw new Error(`a worker exited with ${dead.child.exitCode}:\n${dead.lines.slice(-5).join("\n")}`);
        if (Date.now() > deadline) throw new Error("workers not ready after 90 s");
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await queue.close();
    }
  };
  try {
    const rec = await ready(coordinator, "coordinator listening", 60_000);
    await workersReady();
    return { url: String(rec.url), coordinator, workers, stop };
  } catch (e) {
    await Promise.all(all.map((p) => p.stop("SIGKILL")));
    throw e;
  }
}

export { deleteKeysUnder as deletePrefix } from "../../packages/store/src/delete-prefix.ts";

/** p-th percentile (0..100) of sorted numbers. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}
