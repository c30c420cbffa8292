import { readFileSync } from "node:fs";
import type { SweepSpec } from "@hpo/core";
import { waitFor } from "@hpo/core/testing";
import { deleteKeysUnder } from "@hpo/store";
import { appendEpoch, uniquePrefix } from "@hpo/store/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type InProcessCoordinator, startCoordinator } from "../helpers/coordinator.ts";
import { REDIS_URL, REPO_ROOT } from "../helpers/processes.ts";
import { schemaProblems } from "../helpers/schema-check.ts";

type Doc = { paths: Record<string, Record<string, unknown>>; components: Record<string, Record<string, unknown>> };

describe("docs/openapi.yaml", () => {
  const doc = parse(readFileSync(`${REPO_ROOT}docs/openapi.yaml`, "utf8")) as Doc;

  it("documents every route of the contract", () => {
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(routes).toEqual(
      expect.arrayContaining([
        "GET /healthz",
        "POST /api/sweeps",
        "GET /api/sweeps",
        "GET /api/sweeps/{id}",
        "GET /api/sweeps/{id}/trials",
        "GET /api/sweeps/{id}/trials/{trialId}",
        "GET /api/sweeps/{id}/trials/{trialId}/log",
        "POST /api/sweeps/{id}/cancel",
      ]),
    );
  });

  it("has no dangling $ref", () => {
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/([^/]+)\/([^"]+)"/g)];
    expect(refs.length).toBeGreaterThan(10);
    for (const [, section, name] of refs)
      expect(doc.components[section as string]?.[name as string], `${section}/${name}`).toBeDefined();
  });
});

describe("real responses fit docs/openapi.yaml", () => {
  const doc = parse(readFileSync(`${REPO_ROOT}docs/openapi.yaml`, "utf8")) as Doc & Record<string, unknown>;
  const prefix = uniquePrefix("e2e-openapi");
  const redis = new Redis(REDIS_URL);
  let coordinator: InProcessCoordinator;

  beforeAll(async () => {
    coordinator = await startCoordinator({ prefix, mode: "noop" });
  });
  afterAll(async () => {
    await coordinator?.close();
    await deleteKeysUnder(redis, prefix);
    await redis.quit();
  });

  const check = async (method: string, path: string, route: string, init: RequestInit = {}) => {
    const res = await fetch(`${coordinator.url}${path}`, { method, ...init });
    const body: unknown = await res.json();
    const op = doc.paths[route]?.[method.toLowerCase()] as { responses: Record<string, unknown> } | undefined;
    let response = op?.responses[String(res.status)] as Record<string, unknown> | undefined;
    if (typeof response?.$ref === "string")
      response = doc.components.responses?.[response.$ref.split("/").pop() as string] as Record<string, unknown>;
    const schema = (response?.content as Record<string, { schema: Record<string, unknown> }> | undefined)?.[
      "application/json"
    ]?.schema;
    expect(schema, `${method} ${route} → ${res.status} is documented`).toBeDefined();
    expect(schemaProblems(doc, schema as Record<string, unknown>, body), `${method} ${path}`).toEqual([]);
    return { status: res.status, body };
  };

  it("for every route, success and error", async () => {
    const yaml = { "content-type": "application/yaml" };
    const spec =
      "name: openapi\ndataset: iris\nparameters: { dropout: { values: [0, 0.5] } }\nbudget: { max_trials: 3, max_parallel: 2, max_epochs: 2 }\n";
    await check("GET", "/healthz", "/healthz");
    const created = await check("POST", "/api/sweeps", "/api/sweeps", { headers: yaml, body: spec });
    expect(created.status).toBe(201);
    const id = (created.body as { id: string }).id;
    await waitFor("2 trials proposed", async () => (await coordinator.store.getSweep(id))?.proposed === 2);
    const { store } = coordinator;
    await store.markRunning(id, "t0000", "w", 1);
    await appendEpoch(store, id, "t0000", {
      epoch: 1,
      value: 0.5,
      folds: [{ val_accuracy: 0.5 }, { val_accuracy: 0.5 }],
    });
    await store.finishTrial(id, "t0000", {
      state: "completed",
      folds: [0, 1, 2].map((fold) => ({
        fold,
        score: 0.5 + fold / 10,
        metrics: { val_accuracy: 0.5 },
        epochs: 1,
        durationMs: 3,
      })),
      flags: ["overfitting"],
    });
    await check("GET", "/api/sweeps", "/api/sweeps");
    await check("GET", `/api/sweeps/${id}`, "/api/sweeps/{id}");
    const trials = await check("GET", `/api/sweeps/${id}/trials`, "/api/sweeps/{id}/trials");
    expect((trials.body as { total: number }).total).toBeGreaterThanOrEqual(2);
    await check("GET", `/api/sweeps/${id}/trials/t0000`, "/api/sweeps/{id}/trials/{trialId}");
    await check("GET", `/api/sweeps/${id}/trials/t0001`, "/api/sweeps/{id}/trials/{trialId}");
    await store.appendTrialLog(id, "t0000", [
      { time: 1, level: "info", worker: "w", message: "trial started", fields: { attempt: 1 } },
      { time: 2, level: "error", worker: "w", message: "trial attempt failed" },
    ]);
    const log = await check("GET", `/api/sweeps/${id}/trials/t0000/log`, "/api/sweeps/{id}/trials/{trialId}/log");
    expect((log.body as { lines: { message: string }[] }).lines.map((l) => l.message)).toEqual([
      "trial started",
      "trial attempt failed",
    ]);
    expect(
      (await check("GET", `/api/sweeps/${id}/trials/t9999/log`, "/api/sweeps/{id}/trials/{trialId}/log")).status,
    ).toBe(404);
    const cancelled = await check("POST", `/api/sweeps/${id}/cancel`, "/api/sweeps/{id}/cancel");
    expect((cancelled.body as { status: string }).status).toBe("cancelled");
    const json = { "content-type": "application/json" };
    const extended = await check("POST", `/api/sweeps/${id}/extend`, "/api/sweeps/{id}/extend", {
      headers: json,
      body: '{"trials":2}',
    });
    expect(extended.status).toBe(200);
    expect(
      (
        await check("POST", `/api/sweeps/${id}/extend`, "/api/sweeps/{id}/extend", {
          headers: json,
          body: '{"trials":0}',
        })
      ).status,
    ).toBe(400);
    const resumed = await check("POST", `/api/sweeps/${id}/resume`, "/api/sweeps/{id}/resume");
    expect((resumed.body as { status: string }).status).toBe("running");
    expect((await check("POST", `/api/sweeps/${id}/resume`, "/api/sweeps/{id}/resume")).status).toBe(409);
    expect((await check("POST", "/api/sweeps/nope-aaaaaa/resume", "/api/sweeps/{id}/resume")).status).toBe(404);

    expect((await check("POST", "/api/sweeps", "/api/sweeps", { headers: yaml, body: "parameters: 1" })).status).toBe(
      400,
    );
    expect((await check("GET", "/api/sweeps?limit=x", "/api/sweeps")).status).toBe(400);
    expect((await check("GET", "/api/sweeps/nope-aaaaaa", "/api/sweeps/{id}")).status).toBe(404);
    expect((await check("GET", `/api/sweeps/${id}/trials/t9999`, "/api/sweeps/{id}/trials/{trialId}")).status).toBe(
      404,
    );
    const done = await store.createSweep((await store.getSweep(id))?.spec as SweepSpec);
    await store.setSweepStatus(done.id, "completed", "test");
    expect((await check("POST", `/api/sweeps/${done.id}/cancel`, "/api/sweeps/{id}/cancel")).status).toBe(409);
  });
});
