/**
 * Redis over TLS with a password, both given by REDIS_URL alone (`rediss://:pw@host:port`): a
 * private redis-server serving TLS only (certificate from a throwaway CA made with openssl,
 * trusted by the processes through NODE_EXTRA_CA_CERTS). A coordinator and a worker run a small
 * real sweep to completion over it; a plaintext client is refused; the password is not logged.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkInvariants } from "../faults/invariants.ts";
import { type PrivateRedis, startPrivateRedis } from "../faults/private-redis.ts";
import { apiClient } from "../helpers/api.ts";
import { type Proc, startCoordinatorProcess, startWorkerProcess } from "../helpers/processes.ts";

const PASSWORD = "tls-redis-pw-31c7";
const prefix = "sec-tls";

/** A CA and a server certificate for 127.0.0.1 (SAN IP), in `dir`. */
function makeCerts(dir: string) {
  const f = (name: string) => join(dir, name);
  const ssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "pipe" });
  ssl(
    ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=hpo-test-ca"],
    "-keyout",
    f("ca.key"),
    "-out",
    f("ca.pem"),
  );
  writeFileSync(f("san.cnf"), "subjectAltName=IP:127.0.0.1\n");
  ssl(
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-subj",
    "/CN=127.0.0.1",
    "-keyout",
    f("server.key"),
    "-out",
    f("server.csr"),
  );
  ssl(
    ...["x509", "-req", "-in", f("server.csr"), "-CA", f("ca.pem"), "-CAkey", f("ca.key"), "-CAcreateserial"],
    ...["-days", "1", "-extfile", f("san.cnf"), "-out", f("server.pem")],
  );
  return { certFile: f("server.pem"), keyFile: f("server.key"), caFile: f("ca.pem") };
}

interface PlaintextAnswer {
  /** The TCP connection was made (false: nothing listens, e.g. ECONNREFUSED in `error`). */
  readonly connected: boolean;
  readonly error?: string;
  /** Bytes the server sent back, as latin1. */
  readonly reply: string;
  /** The server ended the connection (within 5 s). */
  readonly closedByServer: boolean;
}

/** Connects over plain TCP, sends an inline `PING`, and collects the answer until the server closes. */
function plaintextPing(port: number): Promise<PlaintextAnswer> {
  return new Promise((resolve) => {
    let connected = false;
    let error: string | undefined;
    let reply = "";
    const socket = connect({ host: "127.0.0.1", port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ connected, reply, closedByServer: false });
    }, 5000);
    socket.on("connect", () => {
      connected = true;
      socket.write("PING\r\n");
    });
    socket.on("data", (d) => {
      reply += d.toString("latin1");
    });
    socket.on("error", (e) => {
      error = (e as NodeJS.ErrnoException).code ?? e.message;
    });
    socket.on("close", () => {
      clearTimeout(timer);
      resolve({ connected, reply, closedByServer: true, ...(error && { error }) });
    });
  });
}

describe("Redis over TLS with a password, configured by REDIS_URL only", () => {
  let dir: string;
  let redis: PrivateRedis;
  let tls: ReturnType<typeof makeCerts>;
  const procs: Proc[] = [];
  let url = "";

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "hpo-tls-"));
    tls = makeCerts(dir);
    redis = await startPrivateRedis({ password: PASSWORD, tls });
    expect(redis.url.startsWith("rediss://")).toBe(true);
    const env = { REDIS_URL: redis.url, NODE_EXTRA_CA_CERTS: tls.caFile };
    const [c, w] = await Promise.all([
      startCoordinatorProcess({ prefix, env }),
      startWorkerProcess({ prefix, name: "tls-w1", env }),
    ]);
    procs.push(c.proc, w);
    url = c.url;
  });

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop("SIGKILL")));
    await redis?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("runs a sweep to completion over TLS", async () => {
    const api = apiClient(url);
    const sweep = await api.submit(`
name: tls
method: random
seed: 2
dataset: iris
parameters:
  learning_rate: { distribution: log_uniform_values, min: 0.001, max: 0.1 }
model: { hidden: [4] }
cv: { folds: 2 }
budget: { max_trials: 3, max_parallel: 1, max_epochs: 2 }
`);
    const done = await api.ended(sweep.id, 90_000);
    expect(done.counts).toMatchObject({ completed: 3, failed: 0 });
    const client = new Redis(redis.url, { tls: { ca: readFileSync(tls.caFile) } });
    try {
      await checkInvariants({ redis: client, prefix, sweepIds: [sweep.id] });
    } finally {
      client.disconnect();
    }
  });

  it("refuses plaintext clients, and nobody logged the password", async () => {
    // the port is open (not "connection refused"), and a plaintext PING gets no Redis reply: the
    // server drops the connection (a TLS alert at most)
    const answer = await plaintextPing(redis.port);
    expect(answer).toMatchObject({ connected: true, closedByServer: true });
    expect(answer.reply).not.toMatch(/^[+\-:$*]|PONG|NOAUTH/);
    // and so does ioredis with a redis:// URL
    const plain = new Redis(redis.url.replace("rediss://", "redis://"), {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      connectTimeout: 2000,
    });
    plain.on("error", () => {});
    const refused = await plain
      .connect()
      .then(() => plain.ping())
      .catch((e: Error) => e);
    plain.disconnect();
    expect(refused).toBeInstanceOf(Error);
    expect(String(refused)).not.toMatch(/ECONNREFUSED/);
    expect(procs.flatMap((p) => p.lines).join("\n")).not.toContain(PASSWORD);
  });
});
