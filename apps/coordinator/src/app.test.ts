import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type ApiErrorBody,
  createRng,
  HpoError,
  type Issue,
  type Page,
  type SweepRecord,
  type TrialRecord,
} from "@hpo/core";
import { createStore } from "@hpo/store";
import { appendEpoch, proposeTrial, storePerSuite, uniquePrefix, unreachableRedis } from "@hpo/store/testing";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "./app.ts";

const TOKEN = "s3cret-token";
type ErrorBody = ApiErrorBody & { error: { details?: Issue[] } };
const bodyOf = async <T>(res: Response) => (await res.json()) as T;

const SPEC_YAML = `
name: iris-api
method: random
dataset: iris
metric: { name: val_accuracy, goal: maximize }
parameters:
  learning_rate: { distribution: log_uniform_values, min: 0.001, max: 0.1 }
cv: { folds: 3 }
budget: { max_trials: 4, max_parallel: 2, max_epochs: 2 }
`;

describe("coordinator HTTP API", () => {
  const db = storePerSuite();
  let server: Server;
  let base: string;
  const kicked: string[] = [];

  beforeAll(async () => {
    const store = db.store;
    const scheduler = {
      kick: (id: string) => void kicked.push(id),
      async cancel(id: string): Promise<SweepRecord> {
        const sweep = await store.getSweep(id);
        if (!sweep) throw new HpoError("NOT_FOUND", `sweep "${id}" not found`);
        await store.setSweepStatus(id, "cancelled", "test");
        return (await db.store.getSweep(id)) as SweepRecord;
      },
    };
    const app = createApp({ store, scheduler, logger: pino({ level: "silent" }), token: TOKEN, bodyLimit: "2kb" });
    server = app.listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  const post = (path: string, body: string, type = "application/json", auth = true) =>
    fetch(`${base}${path}`, {
      method: "POST",
      headers: { "content-type": type, ...(auth && { authorization: `Bearer ${TOKEN}` }) },
      body,
    });

  it("answers /healthz", async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });

  it("creates a sweep from YAML and from JSON, lists and gets it", async () => {
    const res = await post("/api/sweeps", SPEC_YAML, "application/yaml");
    expect(res.status).toBe(201);
    const sweep = (await res.json()) as SweepRecord;
    expect(sweep.id).toMatch(/^iris-api-[a-z0-9]{6}$/);
    expect(sweep.status).toBe("running");
    expect(sweep.spec.cv.folds).toBe(3);
    expect(kicked).toContain(sweep.id);

    const json = { name: "iris-json", dataset: "iris", parameters: { dropout: { values: [0, 0.2] } } };
    const res2 = await post("/api/sweeps", JSON.stringify(json));
    expect(res2.status).toBe(201);
    const sweep2 = (await res2.json()) as SweepRecord;

    const list = await bodyOf<Page<SweepRecord>>(await fetch(`${base}/api/sweeps?limit=10`));
    expect(list.items.map((s) => s.id)).toEqual([sweep2.id, sweep.id]);
    expect(list.total).toBe(2);
    const got = await fetch(`${base}/api/sweeps/${sweep.id}`);
    expect(got.status).toBe(200);
    expect(((await got.json()) as SweepRecord).name).toBe("iris-api");

    const trials = await (await fetch(`${base}/api/sweeps/${sweep.id}/trials?sort=index`)).json();
    expect(trials).toEqual({ items: [], total: 0, offset: 0, limit: 50 });
  });

  it("returns the warnings of a W&B file's ignored keys with the new sweep, and none otherwise", async () => {
    const res = await post(
      "/api/sweeps",
      `${SPEC_YAML}project: mnist\ncontroller: { type: local }\n`,
      "application/yaml",
    );
    expect(res.status).toBe(201);
    const sweep = await bodyOf<SweepRecord & { warnings?: Issue[] }>(res);
    expect(sweep.warnings?.map((w) => w.path)).toEqual(["project", "controller"]);
    expect(sweep.warnings?.[0]?.message).toMatch(/is ignored/);
    const plain = await bodyOf<SweepRecord & { warnings?: Issue[] }>(
      await post("/api/sweeps", SPEC_YAML, "application/yaml"),
    );
    expect(plain.warnings).toBeUndefined();
  });

  it("returns trials with their curve", async () => {
    const sweep = (await (await post("/api/sweeps", SPEC_YAML, "application/yaml")).json()) as SweepRecord;
    await proposeTrial(db.store, sweep.id, 0, { learning_rate: 0.01 });
    await db.store.markRunning(sweep.id, "t0000", "w", 1);
    await appendEpoch(db.store, sweep.id, "t0000", { epoch: 1, value: 0.5, folds: [{ val_accuracy: 0.5 }] });
    const res = await fetch(`${base}/api/sweeps/${sweep.id}/trials/t0000`);
    expect(res.status).toBe(200);
    const trial = await bodyOf<TrialRecord & { curve: unknown[] }>(res);
    expect(trial.state).toBe("running");
    expect(trial.curve).toHaveLength(1);
    expect((await fetch(`${base}/api/sweeps/${sweep.id}/trials/t9999`)).status).toBe(404);
    expect((await fetch(`${base}/api/sweeps/${sweep.id}/trials/..%2Fx`)).status).toBe(404);
  });

  it("rejects bad input with 4xx JSON errors, never 500", async () => {
    const cases: [Response, number, string][] = [
      [await post("/api/sweeps", "{not json"), 400, "INVALID_REQUEST"],
      [await post("/api/sweeps", "name: [unclosed", "application/yaml"), 400, "INVALID_SPEC"],
      [await post("/api/sweeps", "parameters: 3", "application/yaml"), 400, "INVALID_SPEC"],
      [await post("/api/sweeps", "", "application/json"), 400, "INVALID_REQUEST"],
      [await post("/api/sweeps", "a=b", "application/x-www-form-urlencoded"), 400, "INVALID_REQUEST"],
      [await post("/api/sweeps", JSON.stringify({ name: "x".repeat(4000) })), 413, "PAYLOAD_TOO_LARGE"],
      [await post("/api/sweeps", "null"), 400, "INVALID_SPEC"],
      [await fetch(`${base}/api/sweeps?limit=abc`), 400, "INVALID_REQUEST"],
      [await fetch(`${base}/api/sweeps?limit=5000`), 400, "INVALID_REQUEST"],
      [await fetch(`${base}/api/sweeps/nope-aaaaaa`), 404, "NOT_FOUND"],
      [await fetch(`${base}/api/sweeps/nope-aaaaaa/trials?sort=best`), 400, "INVALID_REQUEST"],
      [await fetch(`${base}/api/sweeps/nope-aaaaaa/trials`), 404, "NOT_FOUND"],
      [await fetch(`${base}/api/nothing`), 404, "NOT_FOUND"],
      [await fetch(`${base}/elsewhere`), 404, "NOT_FOUND"],
      [await fetch(`${base}/api/sweeps/%E0%A4%A`), 400, "INVALID_REQUEST"],
      [await fetch(`${base}/api/sweeps/${"x".repeat(5000)}`), 404, "NOT_FOUND"],
      [await fetch(`${base}/api/sweeps?offset=-1`), 400, "INVALID_REQUEST"],
      [await fetch(`${base}/api/sweeps?limit=1&limit=2`), 400, "INVALID_REQUEST"],
    ];
    for (const [i, [res, status, code]] of cases.entries()) {
      const body = await bodyOf<ErrorBody>(res);
      expect({ i, status: res.status, code: body.error.code }).toEqual({ i, status, code });
      expect(typeof body.error.message).toBe("string");
    }
    const invalid = await bodyOf<ErrorBody>(await post("/api/sweeps", "parameters: 3", "application/yaml"));
    expect(invalid.error.details?.[0]?.path).toBe("parameters");
  });

  it("answers 4xx JSON to 300 random bodies (seeded), never 500", async () => {
    const rng = createRng(20261128);
    const pick = <T>(xs: readonly T[]): T => xs[rng.int(0, xs.length - 1)] as T;
    const junkString = () =>
      Array.from({ length: rng.int(0, 60) }, () =>
        String.fromCharCode(pick([rng.int(0, 127), rng.int(0, 0xffff)])),
      ).join("");
    const junkValue = (depth: number): unknown => {
      switch (depth > 3 ? rng.int(0, 3) : rng.int(0, 6)) {
        case 0:
          return rng.next() * 1e6 - 5e5;
        case 1:
          return junkString();
        case 2:
          return pick([true, false, null]);
        case 3:
          return pick(["grid", "random", "iris", "val_accuracy", "maximize", -1, 0, 1e308]);
        case 4:
          return Array.from({ length: rng.int(0, 4) }, () => junkValue(depth + 1));
        default: {
          const keys = [
            "name",
            "method",
            "metric",
            "parameters",
            "dataset",
            "cv",
            "budget",
            "learning_rate",
            "values",
            "min",
            "max",
            "distribution",
            junkString(),
          ];
          return Object.fromEntries(Array.from({ length: rng.int(0, 5) }, () => [pick(keys), junkValue(depth + 1)]));
        }
      }
    };
    const bomb = `a: &a ["x","x","x","x","x","x","x","x","x"]\n${Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`).join("\n")}`;
    const bodies: [string, string][] = [[bomb, "application/yaml"]];
    for (let i = 0; i < 300; i++) {
      const kind = rng.int(0, 2);
      if (kind === 0) bodies.push([JSON.stringify(junkValue(0)), "application/json"]);
      else if (kind === 1) bodies.push([junkString(), pick(["application/json", "application/yaml", "text/plain"])]);
      else bodies.push([JSON.stringify(junkValue(0)), "application/yaml"]);
    }
    for (const [body, type] of bodies) {
      const res = await post("/api/sweeps", body, type);
      const json = await bodyOf<ErrorBody | SweepRecord>(res);
      if (res.status === 201) continue; // a random body can happen to be a valid sweep
      expect({ status: res.status < 500, body: body.slice(0, 80) }).toEqual({ status: true, body: body.slice(0, 80) });
      expect(typeof (json as ErrorBody).error.code).toBe("string");
    }
  });

  it("requires the bearer token on mutating routes only", async () => {
    const none = await post("/api/sweeps", SPEC_YAML, "application/yaml", false);
    expect(none.status).toBe(401);
    expect((await bodyOf<ErrorBody>(none)).error.code).toBe("UNAUTHORIZED");
    const wrong = await fetch(`${base}/api/sweeps`, {
      method: "POST",
      headers: { "content-type": "application/yaml", authorization: "Bearer nope" },
      body: SPEC_YAML,
    });
    expect(wrong.status).toBe(401);
    expect((await fetch(`${base}/api/sweeps`)).status).toBe(200);
    const sweep = (await (await post("/api/sweeps", SPEC_YAML, "application/yaml")).json()) as SweepRecord;
    expect((await post(`/api/sweeps/${sweep.id}/cancel`, "", "application/json", false)).status).toBe(401);
    const cancelled = await post(`/api/sweeps/${sweep.id}/cancel`, "", "application/json");
    expect(cancelled.status).toBe(200);
    expect(((await cancelled.json()) as SweepRecord).status).toBe("cancelled");
  });
});

describe("coordinator HTTP API without Redis", () => {
  it("answers 503 UNAVAILABLE on /healthz and on the API, never 500", async () => {
    const dead = unreachableRedis();
    const store = createStore({ redis: dead, prefix: uniquePrefix() });
    const scheduler = { kick: () => {}, cancel: () => Promise.reject(new Error("unused")) };
    const app = createApp({ store, scheduler, logger: pino({ level: "silent" }) });
    const server = app.listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const health = await fetch(`${base}/healthz`);
      expect(health.status).toBe(503);
      expect(((await health.json()) as { ok: boolean }).ok).toBe(false);
      const list = await fetch(`${base}/api/sweeps`);
      expect(list.status).toBe(503);
      expect(((await list.json()) as ApiErrorBody).error.code).toBe("UNAVAILABLE");
      const create = await fetch(`${base}/api/sweeps`, {
        method: "POST",
        headers: { "content-type": "application/yaml" },
        body: SPEC_YAML,
      });
      expect(create.status).toBe(503);
    } finally {
      await new Promise((r) => server.close(r));
      dead.disconnect();
    }
  });
});
