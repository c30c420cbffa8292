import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { isHpoError } from "@hpo/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient } from "./api-client.ts";
import { freePort } from "./net-utils.ts";

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

describe("ApiClient", () => {
  let server: Server;
  let url: string;
  let handler: Handler = (_req, _body, res) => res.end();
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => handler(req, body, res));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const json = (res: ServerResponse, status: number, value: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(value));
  };

  it("sends YAML with its content type and the bearer token", async () => {
    let seen: { method?: string; url?: string; type?: string; auth?: string; body?: string } = {};
    handler = (req, body, res) => {
      seen = {
        method: req.method,
        url: req.url,
        type: req.headers["content-type"],
        auth: req.headers.authorization,
        body,
      };
      json(res, 201, { id: "s1" });
    };
    const client = new ApiClient({ url: `${url}/`, token: "tok" });
    await expect(client.createSweep("name: x\n")).resolves.toEqual({ id: "s1" });
    expect(seen).toEqual({
      method: "POST",
      url: "/api/sweeps",
      type: "application/yaml",
      auth: "Bearer tok",
      body: "name: x\n",
    });
  });

  it("turns an ApiErrorBody into an HpoError with its code, message and details", async () => {
    handler = (_req, _body, res) =>
      json(res, 400, {
        error: {
          code: "INVALID_SPEC",
          message: "sweep: cv.folds must be >= 2",
          details: [{ path: "cv.folds", message: "must be >= 2" }],
        },
      });
    const err = await new ApiClient({ url }).createSweep({}).catch((e: unknown) => e);
    expect(isHpoError(err) && err.code).toBe("INVALID_SPEC");
    expect((err as Error).message).toBe("sweep: cv.folds must be >= 2");
    expect((err as { details: unknown }).details).toEqual([{ path: "cv.folds", message: "must be >= 2" }]);
  });

  it("maps a bare HTTP error to a code from its status", async () => {
    handler = (_req, _body, res) => {
      res.writeHead(404);
      res.end("Cannot GET");
    };
    const err = await new ApiClient({ url }).getSweep("nope").catch((e: unknown) => e);
    expect(isHpoError(err) && err.code).toBe("NOT_FOUND");
    expect((err as Error).message).toMatch(/GET \/api\/sweeps\/nope: the coordinator answered HTTP 404: Cannot GET/);
  });

  it("follows pages in listAllTrials, even when the server caps the page size", async () => {
    const items = Array.from({ length: 450 }, (_, i) => ({ id: `t${i}` }));
    handler = (req, _body, res) => {
      const q = new URL(req.url ?? "", url).searchParams;
      const offset = Number(q.get("offset"));
      const limit = Math.min(100, Number(q.get("limit"))); // a server that caps the page size
      json(res, 200, { items: items.slice(offset, offset + limit), total: items.length, offset, limit });
    };
    const all = await new ApiClient({ url }).listAllTrials("s1");
    expect(all.map((t) => t.id)).toEqual(items.map((t) => t.id));
  });

  it("says how to start the stack when nothing listens", async () => {
    const port = await freePort();
    const err = await new ApiClient({ url: `http://127.0.0.1:${port}` }).listSweeps().catch((e: unknown) => e);
    expect(isHpoError(err) && err.code).toBe("UNAVAILABLE");
    expect((err as Error).message).toContain(
      `cannot reach the coordinator at http://127.0.0.1:${port}: is \`pnpm hpo up\` running?`,
    );
  });

  it("reports healthz as a boolean", async () => {
    handler = (req, _body, res) => json(res, req.url === "/healthz" ? 503 : 200, { ok: false });
    expect(await new ApiClient({ url }).healthy()).toBe(false);
    handler = (_req, _body, res) => json(res, 200, { ok: true });
    expect(await new ApiClient({ url }).healthy()).toBe(true);
  });
});
