/**
 * A private Redis Sentinel deployment for one test: a primary and one replica (`redis-server`,
 * AOF `everysec`, `noeviction`, as infra/redis.conf) and three sentinels (`redis-server
 * <conf> --sentinel`, quorum 2) on free loopback ports, tuned to fail over within seconds:
 * `down-after-milliseconds 1000`, `failover-timeout 5000`. `url` is the `redis+sentinel://` URL
 * hpo's processes take as REDIS_URL.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitFor } from "@hpo/core/testing";
import { Redis } from "ioredis";
import { redisServerArgs } from "../../apps/cli/src/local-redis.ts";
import { freePort } from "../../apps/cli/src/net-utils.ts";

export const MASTER_NAME = "hpo";
const HOST = "127.0.0.1";

export interface SentinelRedis {
  /** `redis+sentinel://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3/hpo` */
  readonly url: string;
  readonly primaryPort: number;
  readonly replicaPort: number;
  readonly sentinelPorts: readonly number[];
  /** Every line each process printed, by name (primary, replica, sentinel-1..3). */
  readonly lines: ReadonlyMap<string, string[]>;
  /** A direct connection to the data node on `port` (not through the sentinels); caller closes it. */
  direct(port: number): Redis;
  /** The `host:port` port the sentinels currently name as primary (asks sentinel 1). */
  currentPrimaryPort(): Promise<number>;
  /** SIGKILLs the data node on `port` (a lost machine: no shutdown, no final fsync). */
  kill(port: number): Promise<void>;
  /** Kills everything and removes the data dirs. */
  close(): Promise<void>;
}

/**
 * Starts the deployment and resolves once the replica is in sync and every sentinel knows the
 * primary, the replica and the two other sentinels (30 s); throws with the processes' last lines
 * otherwise (everything started is killed).
 */
export async function startSentinelRedis(): Promise<SentinelRedis> {
  const root = mkdtempSync(join(tmpdir(), "hpo-faults-sentinel-"));
  const children = new Map<string, ChildProcess>();
  const lines = new Map<string, string[]>();
  const exits = new Map<string, Promise<unknown>>();
  const start = (name: string, args: readonly string[]) => {
    const out: string[] = [];
    lines.set(name, out);
    const child = spawn("redis-server", [...args], { stdio: ["ignore", "pipe", "pipe"] });
    const keep = (b: Buffer) => out.push(...b.toString().split("\n").filter(Boolean));
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    children.set(name, child);
    exits.set(name, new Promise((r) => child.once("exit", r)));
  };
  const killAll = async () => {
    for (const c of children.values()) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    await Promise.all(exits.values());
  };

  const [primaryPort, replicaPort, ...sentinelPorts] = await Promise.all(
    Array.from({ length: 5 }, () => freePort(HOST)),
  );
  const p = primaryPort as number;
  const r = replicaPort as number;
  const dataDir = (name: string) => {
    const dir = join(root, name);
    mkdirSync(dir);
    return dir;
  };
  start("primary", redisServerArgs({ host: HOST, port: p, dir: dataDir("primary"), protectedMode: false }));
  start("replica", [
    ...redisServerArgs({ host: HOST, port: r, dir: dataDir("replica"), protectedMode: false }),
    "--replicaof",
    HOST,
    String(p),
  ]);
  sentinelPorts.forEach((port, i) => {
    const dir = dataDir(`sentinel-${i + 1}`);
    const conf = join(dir, "sentinel.conf"); // sentinels rewrite their config: one writable file each
    writeFileSync(
      conf,
      [
        `port ${port}`,
        `bind ${HOST}`,
        "protected-mode no",
        `dir ${dir}`,
        `sentinel monitor ${MASTER_NAME} ${HOST} ${p} 2`,
        `sentinel down-after-milliseconds ${MASTER_NAME} 1000`,
        `sentinel failover-timeout ${MASTER_NAME} 5000`,
        `sentinel parallel-syncs ${MASTER_NAME} 1`,
        "",
      ].join("\n"),
    );
    start(`sentinel-${i + 1}`, [conf, "--sentinel"]);
  });

  const direct = (port: number) => {
    // reconnects (a promoted node drops its clients), but a dead node fails commands at once
    const c = new Redis({ host: HOST, port, maxRetriesPerRequest: 1, retryStrategy: (n) => (n > 20 ? null : 100) });
    c.on("error", () => {});
    return c;
  };
  const ask = async <T>(port: number, fn: (c: Redis) => Promise<T>): Promise<T> => {
    const c = direct(port);
    try {
      return await fn(c);
    } finally {
      c.disconnect();
    }
  };
  try {
    await waitFor(
      "the replica in sync and three sentinels that know each other",
      async () => {
        const info = await ask(r, (c) => c.info("replication"));
        if (!info.includes("master_link_status:up")) return false;
        for (const port of sentinelPorts) {
          const state = await ask(port, async (c) => ({
            replicas: (await c.call("SENTINEL", "REPLICAS", MASTER_NAME)) as unknown[],
            sentinels: (await c.call("SENTINEL", "SENTINELS", MASTER_NAME)) as unknown[],
          }));
          if (state.replicas.length !== 1 || state.sentinels.length !== 2) return false;
        }
        return true;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
  } catch (e) {
    const tails = [...lines].map(([n, l]) => `${n}: ${l.slice(-3).join(" | ")}`).join("\n");
    await killAll();
    rmSync(root, { recursive: true, force: true });
    throw new Error(`${(e as Error).message}\n${tails}`);
  }

  const portName = new Map([
    [p, "primary"],
    [r, "replica"],
  ]);
  return {
    url: `redis+sentinel://${sentinelPorts.map((port) => `${HOST}:${port}`).join(",")}/${MASTER_NAME}`,
    primaryPort: p,
    replicaPort: r,
    sentinelPorts,
    lines,
    direct,
    currentPrimaryPort: () =>
      ask(sentinelPorts[0] as number, async (c) => {
        const addr = (await c.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME)) as [string, string];
        return Number(addr[1]);
      }),
    async kill(port) {
      const name = portName.get(port);
      const child = name ? children.get(name) : undefined;
      if (!name || !child) throw new Error(`no data node on port ${port}`);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exits.get(name);
    },
    async close() {
      await killAll();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
