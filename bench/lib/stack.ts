/**
 * The stack the orchestration benchmarks (overhead, scale, worker saturation) run: the real
 * coordinator and worker processes on a private prefix of the shared Redis, and the deps that
 * only the apps declare (bullmq, ioredis). Arguments: args.ts; CPU and Redis accounting: usage.ts.
 */
import { createRequire } from "node:module";
import { type Proc, REDIS_URL, spawnProc } from "../../test/helpers/processes.ts";

// bench/ is no workspace package: resolve the apps' own copies of bullmq and ioredis
const requireFromWorker = createRequire(new URL("../../apps/worker/package.json", import.meta.url));
export const bullmq = requireFromWorker("bullmq") as typeof import("bullmq");
export const { Redis } = requireFromWorker("ioredis") as typeof import("ioredis");
export type RedisClient = import("ioredis").Redis;
export { REDIS_URL };

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
