/**
 * 5,000 seeded hostile sweep specs through the HTTP API (in-process createApp + real store on
 * Redis): every one answers 201 (when the mutation left a valid spec) or a 4xx JSON error whose
 * details name the touched field by its exact path — never a 500 — every accepted spec, read
 * back, lies within the validator's bounds (spec-bounds.ts), and the service answers normally
 * afterwards. Reproduce a failure with FUZZ_SEED=<seed> and the case number printed.
 */

import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createApp } from "@hpo/coordinator";
import type { SweepRecord } from "@hpo/core";
import { createStore, deleteKeysUnder, type Store } from "@hpo/store";
import { uniquePrefix } from "@hpo/store/testing";
import { Redis } from "ioredis";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REDIS_URL } from "../helpers/processes.ts";
import { boundsProblems } from "./spec-bounds.ts";
import { type FuzzCase, fuzzCase, hugeBody } from "./spec-fuzzer.ts";

const SEED = Number(process.env.FUZZ_SEED ?? 20261128);
const CASES = Number(process.env.FUZZ_CASES ?? 5000);

interface Answer {
  readonly status: number;
  readonly code?: string;
  readonly text: string;
}

/** What is wrong with `answer` for `c` (undefined when it is right). */
export function judge(c: Pick<FuzzCase, "must" | "path" | "body">, a: Answer): string | undefined {
  if (a.status >= 500 || a.status === 0) return `status ${a.status} ${a.text.slice(0, 200)}`;
  if (a.status === 201) return c.must === "any" ? undefined : `accepted (201) but must be refused`;
  if (a.status < 400) return `status ${a.status}`;
  let body: { error?: { code?: string; message?: string; details?: { path?: string; message?: string }[] } };
  try {
    body = JSON.parse(a.text);
  } catch {
    return `4xx without a JSON body: ${a.text.slice(0, 100)}`;
  }
  const message = body.error?.message;
  if (!body.error?.code || typeof message !== "string" || message.length === 0) return "4xx without code/message";
  if (c.must === "too-large") return a.status === 413 ? undefined : `status ${a.status}, want 413`;
  // over the YAML body limit (256 KB): refusing the size is the right answer for any bad body
  if (a.status === 413 && c.body.length > 256 * 1024 && body.error.code === "PAYLOAD_TOO_LARGE") return undefined;
  if (c.must === "reject-naming-field" && c.path !== undefined) {
    const paths = (body.error.details ?? []).map((d) => d.path);
    if (!paths.includes(c.path)) {
      return `no detail at path ${JSON.stringify(c.path)} (details at ${JSON.stringify(paths).slice(0, 200)}): ${message.slice(0, 200)}`;
    }
  }
  return undefined;
}

describe(`API fuzz: ${CASES} hostile sweep specs (seed ${SEED})`, () => {
  const prefix = uniquePrefix("fuzz-api");
  let redis: Redis;
  let store: Store;
  let server: Server;
  let base = "";
  const errors: string[] = [];

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    store = createStore({ redis, prefix });
    const logger = pino({ level: "error" }, { write: (s: string) => void errors.push(s) });
    // the scheduler is not what is fuzzed: accepted sweeps are only stored
    const app = createApp({
      store,
      scheduler: { kick() {}, cancel: async () => Promise.reject(new Error("n/a")) },
      logger,
    });
    server = app.listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    await store.close();
    await deleteKeysUnder(redis, prefix);
    await redis.quit();
  });

  const send = async (c: Pick<FuzzCase, "body" | "contentType">): Promise<Answer> => {
    const res = await fetch(`${base}/api/sweeps`, {
      method: "POST",
      headers: { "content-type": c.contentType },
      body: c.body,
    });
    return { status: res.status, text: await res.text() };
  };

  /** What is wrong with the sweep an accepted (201) answer created, read back through the API. */
  const storedProblem = async (a: Answer): Promise<string | undefined> => {
    const created = JSON.parse(a.text) as SweepRecord;
    const res = await fetch(`${base}/api/sweeps/${encodeURIComponent(created.id)}`);
    if (res.status !== 200) return `accepted, but GET /api/sweeps/${created.id} answers ${res.status}`;
    const stored = (await res.json()) as SweepRecord;
    const problems = boundsProblems(stored.spec);
    if (problems.length > 0) return `accepted a spec out of bounds: ${problems.slice(0, 3).join("; ")}`;
    if (JSON.stringify(stored.spec) !== JSON.stringify(created.spec))
      return "the stored spec differs from the one answered";
    return undefined;
  };
  let accepted = 0;

  it("answers every case with 201 or a 4xx naming the field's exact path, never a 500", async () => {
    const failures: string[] = [];
    const byKind = new Map<string, Record<number, number>>();
    let next = 0;
    const lane = async () => {
      for (let n = next++; n < CASES; n = next++) {
        const c = fuzzCase(SEED, n);
        let answer: Answer;
        try {
          answer = await send(c);
        } catch (e) {
          answer = { status: 0, text: `request failed: ${(e as Error).cause ?? (e as Error).message}` };
        }
        if (answer.status === 201) accepted++;
        const stats = byKind.get(c.kind) ?? {};
        stats[answer.status] = (stats[answer.status] ?? 0) + 1;
        byKind.set(c.kind, stats);
        const wrong = judge(c, answer) ?? (answer.status === 201 ? await storedProblem(answer) : undefined);
        if (wrong) failures.push(`case ${n} (${c.kind}, path ${JSON.stringify(c.path ?? "")}): ${wrong}`);
      }
    };
    await Promise.all(Array.from({ length: 8 }, lane));
    console.log(`fuzz seed ${SEED}: statuses by kind`, Object.fromEntries(byKind));
    expect(failures.slice(0, 20), `${failures.length} of ${CASES} cases failed`).toEqual([]);
    expect(accepted).toBeGreaterThan(CASES / 20); // accepted specs were checked, not just counted
    expect(errors).toEqual([]); // no 5xx was logged
  });

  it("answers 413 to 10 MB bodies", async () => {
    for (let v = 0; v < 3; v++) {
      const c = hugeBody(10, v);
      const answer = await send(c);
      expect(judge({ must: "too-large", body: c.body }, answer), c.kind).toBeUndefined();
    }
  });

  it("is healthy afterwards: /healthz ok, a valid sweep is accepted and listed", async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ok = await send({
      contentType: "application/json",
      body: JSON.stringify({
        name: "after-fuzz",
        method: "random",
        dataset: "iris",
        parameters: { learning_rate: { values: [0.01] } },
      }),
    });
    expect(ok.status).toBe(201);
    const list = await fetch(`${base}/api/sweeps?limit=1`);
    expect(((await list.json()) as { items: { name: string }[] }).items[0]?.name).toBe("after-fuzz");
  });
});
