import { HpoError } from "@hpo/core";
import { Redis, type RedisOptions } from "ioredis";

/**
 * REDIS_URL, the one place it is read. Accepted forms:
 * - `redis://[[user]:password@]host[:port][/db]` and `rediss://…` (TLS): handed to ioredis as is;
 * - `redis+sentinel://[[user]:password@]host:port[,host:port…]/master[/db][?sentinelPassword=…]`:
 *   Redis Sentinel. The hosts are sentinels (port default 26379), `master` is the name they
 *   monitor; the user and password are those of the primary and its replicas. ioredis asks the
 *   sentinels for the current primary on every (re)connect, so after a failover every client
 *   follows the promoted replica.
 */
export interface SentinelUrl {
  readonly sentinels: readonly { readonly host: string; readonly port: number }[];
  /** The master name the sentinels monitor (`sentinel monitor <name> …`). */
  readonly name: string;
  readonly username?: string;
  readonly password?: string;
  readonly sentinelPassword?: string;
  readonly db?: number;
}

const SENTINEL = /^redis\+sentinel:\/\/(?:([^@/]*)@)?([^/?#]+)\/([^/?#]+)(?:\/([^/?#]*))?\/?(?:\?([^#]*))?$/;

/** True for a `redis+sentinel://` URL. */
export function isSentinelUrl(url: string): boolean {
  return url.trim().startsWith("redis+sentinel:");
}

/** `url` with the credentials replaced by `***`, for logs and messages. */
export function redactRedisUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, "//***@");
}

/**
 * Parses a `redis+sentinel://` URL (see `SentinelUrl`). Throws HpoError INVALID_REQUEST naming
 * the URL (credentials redacted) and what is wrong: no sentinel, a bad port, no master name, a
 * bad db number.
 */
export function parseSentinelUrl(url: string): SentinelUrl {
  const shown = redactRedisUrl(url);
  const bad = (why: string) =>
    new HpoError(
      "INVALID_REQUEST",
      `REDIS_URL "${shown}": ${why} (expected redis+sentinel://host:port[,host:port…]/master[/db])`,
    );
  const m = SENTINEL.exec(url.trim());
  if (!m) throw bad("not a Sentinel URL");
  const [, auth, hostList = "", rawName = "", rawDb, query] = m;
  const sentinels = hostList.split(",").map((entry) => {
    const hp = /^(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d+))?$/.exec(entry.trim());
    if (!hp) throw bad(`"${entry}" is not host:port`);
    const port = hp[3] === undefined ? 26379 : Number(hp[3]);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw bad(`port of "${entry}" must be 1-65535`);
    return { host: (hp[1] ?? hp[2]) as string, port };
  });
  const name = decodeURIComponent(rawName);
  if (!name) throw bad("no master name");
  let db: number | undefined;
  if (rawDb !== undefined && rawDb !== "") {
    db = Number(rawDb);
    if (!Number.isInteger(db) || db < 0) throw bad(`db must be a whole number >= 0, got "${rawDb}"`);
  }
  const [rawUser, ...rawPassword] = (auth ?? "").split(":");
  const username = rawUser ? decodeURIComponent(rawUser) : undefined;
  const password = rawPassword.length > 0 ? decodeURIComponent(rawPassword.join(":")) : undefined;
  const sentinelPassword = new URLSearchParams(query ?? "").get("sentinelPassword") ?? undefined;
  return {
    sentinels,
    name,
    ...(username !== undefined && { username }),
    ...(password && { password }),
    ...(sentinelPassword && { sentinelPassword }),
    ...(db !== undefined && { db }),
  };
}

/**
 * ioredis options for a `redis+sentinel://` URL, merged with `options`; for any other URL,
 * `{ url, ...options }` (BullMQ's `connection` form; ioredis parses the URL). Pass the result
 * as BullMQ's `connection`, or to `createRedis`. Throws like `parseSentinelUrl`.
 */
export function redisOptionsOf(url: string, options: RedisOptions = {}): RedisOptions & { url?: string } {
  if (!isSentinelUrl(url)) return { url, ...options };
  // parseSentinelUrl leaves out what the URL does not give, so its fields are ioredis's as they are
  const { sentinels, ...rest } = parseSentinelUrl(url);
  return { sentinels: [...sentinels], ...rest, ...options };
}

/**
 * A new ioredis client for REDIS_URL (any form above) with `options` (e.g.
 * `maxRetriesPerRequest: null` for BullMQ). The caller owns it and closes it. Throws like
 * `parseSentinelUrl` for a malformed Sentinel URL.
 */
export function createRedis(url: string, options: RedisOptions = {}): Redis {
  const { url: plain, ...rest } = redisOptionsOf(url, options);
  return plain === undefined ? new Redis(rest) : new Redis(plain, rest);
}
