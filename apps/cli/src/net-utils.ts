import { accessSync, constants } from "node:fs";
import { connect, createServer } from "node:net";
import { delimiter, join } from "node:path";

/** `host:port`, with an IPv6 `host` in brackets (`[::1]:8080`), as URLs and scrape targets write it. */
export function hostPort(host: string, port: number): string {
  return `${host.includes(":") ? `[${host}]` : host}:${port}`;
}

/** A free TCP port on `host` chosen by the OS (it may be taken again before it is used). */
export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** True when nothing listens on host:port (we can bind it). */
export function portIsFree(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/**
 * True when a Redis answers PING with +PONG at host:port within `timeoutMs` (default 1000).
 * Speaks RESP over a raw socket so that the CLI needs no Redis client. Never throws.
 */
export async function pingRedis(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return (await redisReply(host, port, timeoutMs))?.startsWith("+PONG") ?? false;
}

/**
 * The first reply line to PING at host:port (e.g. "+PONG", or "-NOAUTH ..." from a Redis that
 * needs a password), or undefined when nothing answers within `timeoutMs`. Never throws.
 */
export function redisReply(host: string, port: number, timeoutMs = 1_000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let data = "";
    const finish = (reply: string | undefined) => {
      socket.destroy();
      resolve(reply);
    };
    socket.setTimeout(timeoutMs, () => finish(undefined));
    socket.once("error", () => finish(undefined));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk) => {
      data += chunk.toString("utf8");
      if (data.includes("\r\n")) finish(data.slice(0, data.indexOf("\r\n")));
    });
  });
}

/** Absolute path of an executable found on PATH, or undefined. */
export function findOnPath(bin: string, pathVar = process.env.PATH ?? ""): string | undefined {
  for (const dir of pathVar.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, bin);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** A URL safe to print: credentials (`user:password@`) replaced by `***@`. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, "//***@");
}
