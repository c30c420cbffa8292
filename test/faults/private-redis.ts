/**
 * A private `redis-server` for one test: its own port and temp dir, AOF on with
 * `appendfsync everysec` (what infra/redis.conf recommends), `noeviction` as BullMQ needs.
 * `kill()` / `start()` restart it on the same port and data dir, as a crashed Redis would be.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitFor } from "@hpo/core/testing";
import { Redis } from "ioredis";
import { redisServerArgs } from "../../apps/cli/src/local-redis.ts";
import { freePort } from "../../apps/cli/src/net-utils.ts";

export interface PrivateRedisOptions {
  /** Address to bind. Default 127.0.0.1. */
  readonly host?: string;
  /** requirepass; also put into `url`. */
  readonly password?: string;
  /** Port; default a free one. */
  readonly port?: number;
  /** Serve TLS only (on `port`), with these PEM files; `url` is then `rediss://`. */
  readonly tls?: { readonly certFile: string; readonly keyFile: string; readonly caFile: string };
}

export interface PrivateRedis {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** Every line redis-server printed. */
  readonly lines: string[];
  /** Starts (or restarts) the server and waits until it answers PING (10 s). */
  start(): Promise<void>;
  /** Stops it with `signal` (SIGKILL: a crash, at most ~1 s of writes lost; SIGTERM: clean). */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Stops it and removes its data dir. */
  close(): Promise<void>;
}

export async function startPrivateRedis(opts: PrivateRedisOptions = {}): Promise<PrivateRedis> {
  const host = opts.host ?? "127.0.0.1";
  const port = opts.port ?? (await freePort(host));
  const dir = mkdtempSync(join(tmpdir(), "hpo-faults-redis-"));
  const auth = opts.password ? `:${encodeURIComponent(opts.password)}@` : "";
  const url = `${opts.tls ? "rediss" : "redis"}://${auth}${host}:${port}`;
  const lines: string[] = [];
  let child: ChildProcess | undefined;
  let exited: Promise<unknown> = Promise.resolve();

  const args = [
    // With TLS the plain port is off (0) and `port` is the TLS one.
    ...redisServerArgs({ host, port: opts.tls ? 0 : port, dir, protectedMode: false }),
    ...(opts.tls
      ? [
          "--tls-port",
          String(port),
          "--tls-cert-file",
          opts.tls.certFile,
          "--tls-key-file",
          opts.tls.keyFile,
          "--tls-ca-cert-file",
          opts.tls.caFile,
          "--tls-auth-clients",
          "no",
        ]
      : []),
    ...(opts.password ? ["--requirepass", opts.password] : []),
  ];

  const handle: PrivateRedis = {
    url,
    port,
    dir,
    lines,
    async start() {
      const proc = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
      child = proc;
      exited = new Promise((r) => proc.once("exit", r));
      const keep = (b: Buffer) => lines.push(...b.toString().split("\n").filter(Boolean));
      proc.stdout?.on("data", keep);
      proc.stderr?.on("data", keep);
      await waitFor(
        `private redis-server on ${host}:${port}`,
        async () => {
          if (proc.exitCode !== null) throw new Error(`redis-server exited: ${lines.slice(-3).join(" | ")}`);
          const probe = new Redis(url, {
            lazyConnect: true,
            maxRetriesPerRequest: 0,
            retryStrategy: () => null,
            ...(opts.tls && { tls: { ca: readFileSync(opts.tls.caFile) } }),
          });
          probe.on("error", () => {});
          try {
            await probe.connect();
            return (await probe.ping()) === "PONG";
          } finally {
            probe.disconnect();
          }
        },
        { timeoutMs: 10_000, intervalMs: 100 },
      );
    },
    async kill(signal = "SIGKILL") {
      if (child && child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
    async close() {
      await handle.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await handle.start();
  return handle;
}
