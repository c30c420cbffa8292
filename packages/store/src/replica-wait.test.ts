import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TrialOutcome } from "@hpo/core";
import { testSpec } from "@hpo/core/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStore } from "./store.ts";
import { proposeTrial } from "./testing/index.ts";

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

const done: TrialOutcome = {
  state: "completed",
  folds: [0.9, 0.8, 0.85].map((score, fold) => ({ fold, score, metrics: {}, epochs: 1, durationMs: 1 })),
  flags: [],
};

/** A private primary and replica (no persistence), so the replica can be made slow. */
describe("finishTrial with waitReplicas (Redis WAIT)", () => {
  const servers: ChildProcess[] = [];
  const dir = mkdtempSync(join(tmpdir(), "hpo-replica-wait-"));
  let primary: Redis;
  let replica: Redis;

  beforeAll(async () => {
    const [p, r] = [await freePort(), await freePort()];
    // diskless sync and a scratch dir: the full sync of the replica writes no dump.rdb anywhere
    const args = (port: number) => [
      ...["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      ...["--dir", dir, "--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0"],
    ];
    servers.push(spawn("redis-server", args(p), { stdio: "ignore" }));
    servers.push(
      spawn("redis-server", [...args(r), "--replicaof", "127.0.0.1", String(p)], {
        stdio: "ignore",
      }),
    );
    primary = new Redis({ port: p, host: "127.0.0.1", retryStrategy: (n) => (n > 50 ? null : 100) });
    replica = new Redis({ port: r, host: "127.0.0.1", retryStrategy: (n) => (n > 50 ? null : 100) });
    for (const c of [primary, replica]) c.on("error", () => {}); // refused until the servers listen
    for (;;) {
      if ((await replica.info("replication").catch(() => "")).includes("master_link_status:up")) break;
      await new Promise((res) => setTimeout(res, 100));
    }
  });

  afterAll(async () => {
    primary?.disconnect();
    replica?.disconnect();
    for (const s of servers) s.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  it("resolves only once a replica has the result: not while the replica is stopped", async () => {
    const store = createStore({ redis: primary, prefix: "wait", waitReplicas: { replicas: 1, timeoutMs: 20_000 } });
    const sweep = await store.createSweep(testSpec());
    await proposeTrial(store, sweep.id, 0, { lr: 0.01 });
    expect(await store.markRunning(sweep.id, "t0000", "w1", 1)).toBe(true);
    const key = `wait:trial:${sweep.id}:t0000`;
    const replicaServer = servers[1] as ChildProcess;
    replicaServer.kill("SIGSTOP"); // the replica can acknowledge nothing
    let resolved = false;
    const finishing = store.finishTrial(sweep.id, "t0000", done).then((v) => {
      resolved = true;
      return v;
    });
    const observer = primary.duplicate(); // WAIT blocks the store's connection
    try {
      // The result is on the primary, yet finishTrial waits for the replica.
      while ((await observer.hget(key, "state")) !== "completed") await new Promise((res) => setTimeout(res, 20));
      await new Promise((res) => setTimeout(res, 300));
      expect(resolved).toBe(false);
    } finally {
      replicaServer.kill("SIGCONT");
      observer.disconnect();
    }
    expect(await finishing).toBe(true);
    expect(await replica.hget(key, "state")).toBe("completed");
  });
});
