/**
 * HTTP-level security of the coordinator: bearer token on mutating routes (missing or wrong →
 * 401, right → ok), reads open by default or token-protected by configuration, the token never
 * logged, body size limit (413), security headers on every response, no CORS.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AppStack, startAppStack } from "./app-stack.ts";

const TOKEN = "s3cret-token-4f1c9a7e";
const SPEC = JSON.stringify({
  name: "security",
  method: "random",
  dataset: "iris",
  parameters: { learning_rate: { values: [0.01] } },
  budget: { max_trials: 1 },
});
const auth = (token?: string): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});
const post = (base: string, path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });

describe("bearer token, reads open (default)", () => {
  let stack: AppStack;
  beforeAll(async () => {
    stack = await startAppStack({ label: "sec-open", token: TOKEN });
  });
  afterAll(() => stack?.close());

  it("refuses submit and cancel without the token or with a wrong one (401), accepts the right one", async () => {
    for (const headers of [
      {},
      auth("wrong"),
      auth(`${TOKEN}x`),
      { authorization: TOKEN },
      { authorization: "Basic abc" },
    ]) {
      const res = await post(stack.url, "/api/sweeps", SPEC, headers);
      expect(res.status, JSON.stringify(headers)).toBe(401);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("UNAUTHORIZED");
      expect(body.error.message).toMatch(/token/);
    }
    const created = await post(stack.url, "/api/sweeps", SPEC, auth(TOKEN));
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    expect((await post(stack.url, `/api/sweeps/${id}/cancel`, "", auth("nope"))).status).toBe(401);
    expect((await post(stack.url, `/api/sweeps/${id}/cancel`, "")).status).toBe(401);
    expect((await post(stack.url, `/api/sweeps/${id}/cancel`, "", auth(TOKEN))).status).toBe(200);
    // every other mutating route too (resume, extend, and whatever POST/PUT/DELETE comes later)
    for (const [method, path] of [
      ["POST", `/api/sweeps/${id}/resume`],
      ["POST", `/api/sweeps/${id}/extend`],
      ["DELETE", `/api/sweeps/${id}`],
      ["PUT", `/api/sweeps/${id}`],
    ] as const) {
      for (const headers of [{}, auth("wrong")]) {
        const res = await fetch(`${stack.url}${path}`, {
          method,
          headers: { "content-type": "application/json", ...headers },
          body: "{}",
        });
        expect(res.status, `${method} ${path} ${JSON.stringify(headers)}`).toBe(401);
      }
      const authorised = await fetch(`${stack.url}${path}`, {
        method,
        headers: { "content-type": "application/json", ...auth(TOKEN) },
        body: "{}",
      });
      expect(authorised.status, `${method} ${path} with the token`).not.toBe(401);
    }
    // reads stay open
    expect((await fetch(`${stack.url}/api/sweeps`)).status).toBe(200);
    expect((await fetch(`${stack.url}/api/sweeps/${id}`)).status).toBe(200);
  });

  it("never logs the token, whatever the request", async () => {
    await post(stack.url, "/api/sweeps", "{bad json", auth(TOKEN));
    await post(stack.url, "/api/sweeps", SPEC, auth(`${TOKEN}-wrong`));
    await fetch(`${stack.url}/api/nowhere?token=${TOKEN}`, { headers: auth(TOKEN) });
    expect(stack.logLines.length).toBeGreaterThan(0); // the scheduler logged the sweep
    expect(stack.logLines.join("\n")).not.toContain(TOKEN);
  });

  it("answers 413 for a body over the limit, and the service stays healthy", async () => {
    const big = JSON.stringify({ name: "x".repeat(2 * 1024 * 1024) });
    const res = await post(stack.url, "/api/sweeps", big, auth(TOKEN));
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("PAYLOAD_TOO_LARGE");
    const yaml = await fetch(`${stack.url}/api/sweeps`, {
      method: "POST",
      headers: { "content-type": "application/yaml", ...auth(TOKEN) },
      body: `name: ${"y".repeat(2 * 1024 * 1024)}`,
    });
    expect(yaml.status).toBe(413);
    expect((await fetch(`${stack.url}/healthz`)).status).toBe(200);
  });

  it("sets security headers on every response, including errors", async () => {
    const responses = [
      await fetch(`${stack.url}/healthz`),
      await fetch(`${stack.url}/api/sweeps`),
      await fetch(`${stack.url}/api/sweeps/missing`),
      await post(stack.url, "/api/sweeps", SPEC),
    ];
    for (const res of responses) {
      expect(res.headers.get("x-content-type-options"), res.url).toBe("nosniff");
      expect(res.headers.get("x-frame-options")).toBe("DENY");
      expect(res.headers.get("referrer-policy")).toBe("no-referrer");
      expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
      expect(res.headers.get("x-powered-by")).toBeNull();
    }
  });

  it("has CORS off: no Access-Control-* headers for other origins, preflights included", async () => {
    const origin = { origin: "https://evil.example" };
    const preflight = await fetch(`${stack.url}/api/sweeps`, {
      method: "OPTIONS",
      headers: {
        ...origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization",
      },
    });
    const get = await fetch(`${stack.url}/api/sweeps`, { headers: origin });
    for (const res of [preflight, get]) {
      const cors = [...res.headers.keys()].filter((k) => k.startsWith("access-control-"));
      expect(cors).toEqual([]);
    }
  });
});

describe("bearer token, reads protected (protectReads / HPO_AUTH_READS=1)", () => {
  let stack: AppStack;
  beforeAll(async () => {
    stack = await startAppStack({ label: "sec-reads", token: TOKEN, protectReads: true, dashboard: true });
  });
  afterAll(() => stack?.close());

  it("refuses the dashboard's reads without the right token: the event stream and /api/dashboard/*", async () => {
    const { id } = (await (await post(stack.url, "/api/sweeps", SPEC, auth(TOKEN))).json()) as { id: string };
    const paths = [
      "/api/events",
      "/api/dashboard/fleet",
      ...["leaderboard", "history", "sample", "importance"].map((view) => `/api/dashboard/sweeps/${id}/${view}`),
    ];
    for (const path of paths) {
      for (const headers of [{}, auth("wrong")]) {
        const res = await fetch(`${stack.url}${path}`, { headers });
        expect(res.status, `${path} ${JSON.stringify(headers)}`).toBe(401);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe("UNAUTHORIZED");
      }
      // with the token the route answers (the event stream stays open: read its headers only)
      const abort = new AbortController();
      const res = await fetch(`${stack.url}${path}`, { headers: auth(TOKEN), signal: abort.signal });
      expect(res.status, `${path} with the token`).toBe(200);
      if (path === "/api/events") expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
      abort.abort();
    }
  });

  it("refuses reads without the right token, serves them with it; /healthz stays open", async () => {
    for (const path of ["/api/sweeps", "/api/sweeps/anything", "/api/sweeps/x/trials"]) {
      expect((await fetch(`${stack.url}${path}`)).status, path).toBe(401);
      expect((await fetch(`${stack.url}${path}`, { headers: auth("wrong") })).status, path).toBe(401);
    }
    expect((await fetch(`${stack.url}/api/sweeps`, { headers: auth(TOKEN) })).status).toBe(200);
    expect((await post(stack.url, "/api/sweeps", SPEC)).status).toBe(401);
    expect((await post(stack.url, "/api/sweeps", SPEC, auth(TOKEN))).status).toBe(201);
    expect((await fetch(`${stack.url}/healthz`)).status).toBe(200);
  });
});

describe("no token configured", () => {
  let stack: AppStack;
  beforeAll(async () => {
    stack = await startAppStack({ label: "sec-none" });
  });
  afterAll(() => stack?.close());

  it("lets mutating routes through (local use)", async () => {
    expect((await post(stack.url, "/api/sweeps", SPEC)).status).toBe(201);
  });
});
