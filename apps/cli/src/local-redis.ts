import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { HpoError } from "@hpo/core";
// the subpath: the package index loads the store's Lua files, which a packed CLI does not carry
import { createRedis, isSentinelUrl, parseSentinelUrl } from "@hpo/store/redis-url";
import { CONFIG_DIR } from "./config.ts";
import { ManagedProcess } from "./managed-process.ts";
import { findOnPath, freePort, pingRedis, redactUrl, redisReply } from "./net-utils.ts";

/** The Redis a local stack uses. */
export interface RedisHandle {
  readonly url: string;
  /** env: REDIS_URL; local: found on 127.0.0.1:6379; private: started by us. */
  readonly origin: "env" | "local" | "private";
  /** Stops the private redis-server (AOF flushed on SIGTERM); no-op for the others. */
  close(): Promise<void>;
}

/** Printed when no Redis can be found or started. */
export const INSTALL_REDIS_MESSAGE = [
  "hpo needs Redis (5 or newer) and found none: REDIS_URL is not set, nothing answers PING on",
  "127.0.0.1:6379, and there is no redis-server on PATH. Install it, then run the command again:",
  "  Debian/Ubuntu:  sudo apt-get install -y redis-server",
  "  macOS:          brew install redis",
  "  Docker:         docker run -d --name hpo-redis -p 127.0.0.1:6379:6379 redis:7 --maxmemory-policy noeviction",
  "or point hpo at an existing Redis with REDIS_URL=redis://host:6379.",
].join("\n");

/**
 * Finds the Redis for `hpo up`: REDIS_URL if set (a plain redis:// one must answer); else 127.0.0.1:6379 if it answers PING; else a
 * private `redis-server` (AOF on, data in `<cwd>/.hpo/redis`, bound to 127.0.0.1 on a free port)
 * if the binary is on PATH. Throws HpoError UNAVAILABLE with INSTALL_REDIS_MESSAGE otherwise, or
 * when the private server does not answer within 10 s.
 */
export async function resolveRedis(options: {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly onLine: (name: string, line: string) => void;
  /** Port probed on 127.0.0.1 before starting a private server; default 6379 (tests change it). */
  readonly localPort?: number;
}): Promise<RedisHandle> {
  const fromEnv = options.env.REDIS_URL?.trim();
  if (fromEnv) {
    await checkReachable(fromEnv);
    return { url: fromEnv, origin: "env", close: async () => {} };
  }
  const localPort = options.localPort ?? 6379;
  if (await pingRedis("127.0.0.1", localPort)) {
    return { url: `redis://127.0.0.1:${localPort}`, origin: "local", close: async () => {} };
  }
  const bin = findOnPath("redis-server", options.env.PATH);
  if (!bin) throw new HpoError("UNAVAILABLE", INSTALL_REDIS_MESSAGE);

  const dir = join(options.cwd, CONFIG_DIR, "redis");
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const server = new ManagedProcess({
    name: "redis",
    command: bin,
    args: redisServerArgs({ host: "127.0.0.1", port, dir, protectedMode: true }),
    cwd: options.cwd,
    env: options.env,
    onLine: options.onLine,
  });
  const deadline = Date.now() + 10_000;
  while (!(await pingRedis("127.0.0.1", port, 500))) {
    if (!server.running || Date.now() > deadline) {
      server.kill();
      throw new HpoError(
        "UNAVAILABLE",
        `redis-server (${bin}) did not start on 127.0.0.1:${port}:\n${server.recentLines(10).join("\n")}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    origin: "private",
    close: async () => {
      await server.stop(10_000);
    },
  };
}

/**
 * `redis-server` arguments for a durable single-node Redis as BullMQ needs it: bound to `host`
 * on `port`, data in `dir`, AOF on with `appendfsync everysec` (infra/redis.conf), no RDB
 * snapshots, `noeviction`. Also used by the fault tests' private Redis.
 */
export function redisServerArgs(o: {
  readonly host: string;
  readonly port: number;
  readonly dir: string;
  readonly protectedMode: boolean;
}): string[] {
  return [
    "--bind",
    o.host,
    "--port",
    String(o.port),
    "--dir",
    o.dir,
    "--appendonly",
    "yes",
    "--appendfsync",
    "everysec",
    "--save",
    "",
    "--maxmemory-policy",
    "noeviction",
    "--protected-mode",
    o.protectedMode ? "yes" : "no",
  ];
}

/**
 * Throws HpoError UNAVAILABLE when a plain redis:// URL does not answer at all, or when no
 * sentinel of a redis+sentinel:// URL leads to a primary that answers PING (TLS URLs are not
 * probed); INVALID_REQUEST when the URL is malformed.
 */
async function checkReachable(url: string): Promise<void> {
  if (isSentinelUrl(url)) return checkSentinels(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new HpoError(
      "INVALID_REQUEST",
      `REDIS_URL "${redactUrl(url)}" is not a valid URL (expected redis://host:port)`,
    );
  }
  if (parsed.protocol !== "redis:") return;
  const host = parsed.hostname.replace(/^\[|\]$/g, "") || "127.0.0.1";
  const port = Number(parsed.port || 6379);
  if ((await redisReply(host, port, 3_000)) === undefined) {
    throw new HpoError(
      "UNAVAILABLE",
      `REDIS_URL ${redactUrl(url)}: nothing answers on ${host}:${port}; start Redis there or unset REDIS_URL`,
    );
  }
}

async function checkSentinels(url: string): Promise<void> {
  const { sentinels, name } = parseSentinelUrl(url);
  const probe = createRedis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    sentinelRetryStrategy: () => null,
    connectTimeout: 3_000,
  });
  probe.on("error", () => {});
  try {
    await probe.connect();
    if ((await probe.ping()) === "PONG") return;
  } catch {
    // reported below
  } finally {
    probe.disconnect();
  }
  throw new HpoError(
    "UNAVAILABLE",
    `REDIS_URL ${redactUrl(url)}: no sentinel of ${sentinels.map((s) => `${s.host}:${s.port}`).join(", ")} gave a primary "${name}" that answers; check the sentinels or unset REDIS_URL`,
  );
}
