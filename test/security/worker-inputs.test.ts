/**
 * A coordinator and a worker process on a password-protected Redis (private redis-server with
 * requirepass, password in REDIS_URL), API token on. Hostile or broken trial inputs are refused
 * with their reasons, before any training, and never crash the worker: dataset paths with `..`
 * or absolute paths elsewhere (refused at submit: the coordinator checks any path it can), a
 * symlink out of the data dir and a malformed CSV (the data directory is the worker's alone, so
 * the worker refuses them: failed trials), a learning rate of 10 (diverged). Neither the Redis
 * password nor the token is logged.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SweepRecord, TrialRecord } from "@hpo/core";
import { waitFor } from "@hpo/core/testing";
import { createStore, type Store } from "@hpo/store";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkInvariants } from "../faults/invariants.ts";
import { type PrivateRedis, startPrivateRedis } from "../faults/private-redis.ts";
import { apiClient } from "../helpers/api.ts";
import { type Proc, startCoordinatorProcess, startWorkerProcess } from "../helpers/processes.ts";

const PASSWORD = "redis-pw-9d2e71";
const TOKEN = "api-token-5b8c03";
const prefix = "sec-inputs";

const spec = (name: string, dataset: string, params = "learning_rate: { values: [0.01] }") => `
name: ${name}
method: grid
dataset: ${dataset}
parameters:
  ${params}
cv: { folds: 3 }
budget: { max_trials: 1, max_parallel: 1, max_epochs: 30 }
`;

describe("hostile inputs on a password-protected Redis", () => {
  let redis: PrivateRedis;
  let store: Store;
  let root: string;
  let coordinator: Proc;
  let worker: Proc;
  let api: ReturnType<typeof apiClient>;
  let coordinatorUrl = "";

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "hpo-sec-"));
    const data = join(root, "data");
    const elsewhere = join(root, "elsewhere");
    mkdirSync(data);
    mkdirSync(elsewhere);
    const rows = Array.from({ length: 60 }, (_, i) => `${(i % 7) / 7},${(i % 5) / 5},${i % 2}`);
    writeFileSync(join(data, "good.csv"), `a,b,label\n${rows.join("\n")}\n`);
    writeFileSync(join(data, "bad.csv"), 'a,b,label\n1,2,0\n3,"unterminated,1\nx,y\n1,2,3,4,5\n');
    writeFileSync(join(elsewhere, "outside.csv"), `a,b,label\n${rows.join("\n")}\n`);
    symlinkSync("/etc/passwd", join(data, "escape.csv"));
    symlinkSync(elsewhere, join(data, "linked-dir"));

    mkdirSync(join(root, "coordinator-data")); // empty: the coordinator sees none of the worker's files

    redis = await startPrivateRedis({ password: PASSWORD });
    const env = { REDIS_URL: redis.url };
    const [c, w] = await Promise.all([
      startCoordinatorProcess({
        prefix,
        env: { ...env, HPO_TOKEN: TOKEN, HPO_DATA_DIRS: join(root, "coordinator-data") },
      }),
      startWorkerProcess({ prefix, name: "sec-w1", env: { ...env, HPO_DATA_DIRS: data } }),
    ]);
    coordinator = c.proc;
    worker = w;
    api = apiClient(c.url, TOKEN);
    coordinatorUrl = c.url;
    store = createStore({ url: redis.url, prefix });
  });

  afterAll(async () => {
    await Promise.all([coordinator, worker].map((p) => p?.stop("SIGKILL")));
    await store?.close();
    await redis?.close();
    rmSync(root, { recursive: true, force: true });
  });

  const onlyTrial = async (yaml: string): Promise<TrialRecord> => {
    const sweep: SweepRecord = await api.submit(yaml);
    return waitFor(
      `the trial of ${sweep.name} to end`,
      async () => {
        const [t] = (await store.listTrials(sweep.id, { sort: "index" })).items;
        return t && t.state !== "queued" && t.state !== "running" && t;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
  };

  /** The shared fault invariants over these sweeps, each with its one trial. */
  const consistent = async (trials: readonly TrialRecord[]) => {
    const sweepIds = trials.map((t) => t.sweepId);
    const client = new Redis(redis.url);
    try {
      const report = await checkInvariants({ redis: client, prefix, sweepIds });
      expect(sweepIds.map((id) => report[id]?.trials)).toEqual(sweepIds.map(() => 1));
    } finally {
      client.disconnect();
    }
  };

  /** Submits `yaml` and expects a 400 whose one detail, at `dataset`, gives `reason`. */
  const refusedAtSubmit = async (yaml: string, reason: RegExp) => {
    const res = await fetch(`${coordinatorUrl}/api/sweeps`, {
      method: "POST",
      headers: { "content-type": "application/yaml", authorization: `Bearer ${TOKEN}` },
      body: yaml,
    });
    const body = (await res.json()) as { error?: { code: string; details?: { path: string; message: string }[] } };
    expect({ status: res.status, code: body.error?.code }).toEqual({ status: 400, code: "INVALID_SPEC" });
    expect(body.error?.details?.map((d) => d.path)).toEqual(["dataset"]);
    expect(body.error?.details?.[0]?.message).toMatch(reason);
  };

  it("refuses dataset paths that leave the data directory, with the reason, before training", async () => {
    // every target exists (a real CSV outside the data directory, or /etc/passwd), so a refusal
    // cannot be a "not found"
    const dotdot = /must not contain "\.\." segments/;
    const symlinkEscape = /resolves outside the data directories \(symlink escape refused\)/;
    const atSubmit: [string, RegExp][] = [
      ["{ path: ../elsewhere/outside.csv, label: label }", dotdot],
      ["{ path: linked-dir/../../elsewhere/outside.csv, label: label }", dotdot],
      [`{ path: ${join(root, "elsewhere", "outside.csv")}, label: label }`, /is outside the data directories/],
      ["{ path: /etc/passwd, label: label }", /is outside the data directories/],
    ];
    for (const [dataset, reason] of atSubmit) await refusedAtSubmit(spec("path-escape", dataset), reason);
    // files only the worker sees: the worker refuses them before training
    const byWorker: [string, RegExp][] = [
      ["{ path: escape.csv, label: label }", symlinkEscape],
      ["{ path: linked-dir/outside.csv, label: label }", symlinkEscape],
    ];
    const trials: TrialRecord[] = [];
    for (const [dataset, reason] of byWorker) {
      const t = await onlyTrial(spec("path-escape", dataset));
      trials.push(t);
      expect({ dataset, state: t.state }).toEqual({ dataset, state: "failed" });
      expect(t.error).toMatch(reason);
      expect(t.folds).toEqual([]);
      expect((await store.getTrial(t.sweepId, t.id))?.curve).toEqual([]); // no epoch was trained
    }
    await consistent(trials);
  });

  it("fails a malformed CSV with the reason and diverges a learning rate of 10, without crashing the worker", async () => {
    const bad = await onlyTrial(spec("malformed-csv", "{ path: bad.csv, label: label }"));
    expect(bad.state).toBe("failed");
    expect(bad.error).toMatch(/csv|row|column|quote/i);

    const wild = await onlyTrial(
      spec("diverge", "iris", "learning_rate: { values: [10] }\n  optimizer: { values: [sgd] }"),
    );
    expect(wild.state).toBe("diverged");
    expect(wild.error).toMatch(/nan|inf|diverg/i);

    // the same worker process is still alive and trains a good dataset to completion
    const good = await onlyTrial(spec("good-csv", "{ path: good.csv, label: label }"));
    expect(good.state).toBe("completed");
    expect(good.folds).toHaveLength(3);
    expect(worker.child.exitCode).toBeNull();
    expect(worker.logs().filter((r) => r.msg === "training-0: thread died; starting a new one")).toEqual([]);
    await consistent([bad, wild, good]);
  });

  it("logs neither the Redis password nor the API token", async () => {
    const all = [...coordinator.lines, ...worker.lines].join("\n");
    expect(coordinator.logs().some((r) => r.msg === "coordinator listening")).toBe(true);
    expect(all).not.toContain(PASSWORD);
    expect(all).not.toContain(TOKEN);
  });

  it("a client without the password is refused by Redis", async () => {
    const anon = new Redis(redis.url.replace(`:${PASSWORD}@`, ""), { maxRetriesPerRequest: 0, lazyConnect: true });
    anon.on("error", () => {});
    await anon.connect().catch(() => {});
    await expect(anon.get(`${prefix}:sweeps`)).rejects.toThrow(/NOAUTH|auth/i);
    anon.disconnect();
  });
});
