/**
 * Issue 22, row 2: a page on another site cannot create or cancel sweeps, even on a coordinator
 * without a token. A "simple" POST (`mode: "no-cors"`, `text/plain`) needs no preflight, so the
 * coordinator itself refuses mutating requests whose `Sec-Fetch-Site` / `Origin` say they come
 * from elsewhere, and reads `text/plain` bodies as YAML only from its own origin. Checked with
 * headers from Node and with a real Chromium page on another origin.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrowserSession, openBrowser } from "../browser/browser.ts";
import { type AppStack, startAppStack } from "./app-stack.ts";

const YAML =
  "name: cross-site\nmethod: random\ndataset: iris\nparameters: { learning_rate: { values: [0.01] } }\nbudget: { max_trials: 1 }\n";
type ErrorBody = { error: { code: string; message: string } };

describe("cross-site requests (no token configured)", () => {
  let stack: AppStack;
  beforeAll(async () => {
    stack = await startAppStack({ label: "sec-cross-site", metrics: true });
  });
  afterAll(() => stack?.close());

  const post = (path: string, headers: Record<string, string>, body = YAML) =>
    fetch(`${stack.url}${path}`, { method: "POST", headers, body });

  it("refuses a POST another site's page sent (Sec-Fetch-Site or Origin) with 403 naming the header", async () => {
    const before = (await stack.store.listSweeps(0, 100)).total;
    for (const headers of <Record<string, string>[]>[
      { "content-type": "application/yaml", "sec-fetch-site": "cross-site" },
      { "content-type": "application/yaml", "sec-fetch-site": "same-site" },
      { "content-type": "application/yaml", origin: "http://evil.example" },
      { "content-type": "application/yaml", origin: "null" },
      { "content-type": "text/plain", origin: "http://evil.example" },
    ]) {
      const res = await post("/api/sweeps", headers);
      expect(res.status, JSON.stringify(headers)).toBe(403);
      const body = (await res.json()) as ErrorBody;
      expect(body.error.code).toBe("FORBIDDEN");
      expect(body.error.message).toMatch(/Sec-Fetch-Site|Origin/);
    }
    const created = (await (await post("/api/sweeps", { "content-type": "application/yaml" })).json()) as {
      id: string;
    };
    const cancel = await post(`/api/sweeps/${created.id}/cancel`, { origin: "http://evil.example" }, "");
    expect(cancel.status).toBe(403);
    expect((await stack.store.getSweep(created.id))?.status).toBe("running");
    expect((await stack.store.listSweeps(0, 100)).total).toBe(before + 1);
  });

  it("reads text/plain as YAML only from its own origin; clients without browser headers send application/yaml", async () => {
    const plain = await post("/api/sweeps", { "content-type": "text/plain" });
    expect(plain.status).toBe(400);
    expect(((await plain.json()) as ErrorBody).error.message).toContain("text/plain");
    expect((await post("/api/sweeps", { "content-type": "application/yaml" })).status).toBe(201);
    const host = new URL(stack.url).host;
    expect((await post("/api/sweeps", { "content-type": "text/plain", "sec-fetch-site": "same-origin" })).status).toBe(
      201,
    );
    expect((await post("/api/sweeps", { "content-type": "text/plain", origin: `http://${host}` })).status).toBe(201);
  });

  describe("in Chromium", () => {
    let browser: BrowserSession;
    let evil: Server;
    let evilUrl = "";
    beforeAll(async () => {
      browser = await openBrowser();
      // another site: "localhost" is not the coordinator's 127.0.0.1
      evil = createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end("<p>hello</p>"));
      evil.listen(0, "127.0.0.1");
      await new Promise((r) => evil.once("listening", r));
      evilUrl = `http://localhost:${(evil.address() as AddressInfo).port}/`;
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
      evil?.closeAllConnections();
      await new Promise((r) => evil?.close(r));
    });

    /** POST answers the coordinator gave, by status, summed over routes (from its /metrics). */
    const postAnswers = async (): Promise<Map<string, number>> => {
      const text = await (await fetch(`${stack.url}/metrics`)).text();
      const counts = new Map<string, number>();
      for (const m of text.matchAll(/^hpo_http_request_duration_seconds_count\{([^}]*)\} (\d+)$/gm)) {
        const labels = m[1] as string;
        const status = /status="(\d+)"/.exec(labels)?.[1];
        if (status && labels.includes('method="POST"')) counts.set(status, (counts.get(status) ?? 0) + Number(m[2]));
      }
      return counts;
    };

    /**
     * Sends a no-cors text/plain POST from the page (its answer is opaque to the page, and CORP may
     * block it) and returns the statuses the coordinator answered POSTs with meanwhile: a request
     * that never reached the coordinator fails the test instead of passing it.
     */
    const simplePost = async (url: string, yaml: string): Promise<string[]> => {
      const before = await postAnswers();
      await browser.page.evaluate(
        async ([u, body]) => {
          await fetch(u as string, {
            method: "POST",
            mode: "no-cors",
            headers: { "content-type": "text/plain" },
            body,
          }).catch(() => undefined);
        },
        [url, yaml],
      );
      // the page may see its (opaque) answer before the coordinator has counted it
      const sent = (after: Map<string, number>) =>
        [...after].flatMap(([status, n]) => Array<string>(n - (before.get(status) ?? 0)).fill(status));
      for (const deadline = Date.now() + 5_000; ; await new Promise((r) => setTimeout(r, 50))) {
        const statuses = sent(await postAnswers());
        if (statuses.length > 0 || Date.now() > deadline) return statuses;
      }
    };

    it("a page on another site cannot create a sweep with a no-cors text/plain POST", async () => {
      const name = `attack-${Date.now()}`;
      await browser.page.goto(evilUrl);
      expect(await simplePost(`${stack.url}/api/sweeps`, YAML.replace("cross-site", name))).toEqual(["403"]);
      const sweeps = await stack.store.listSweeps(0, 100);
      expect(sweeps.items.map((s) => s.name)).not.toContain(name);
    });

    it("a page of the coordinator's own origin still can", async () => {
      const name = `own-${Date.now()}`;
      await browser.page.goto(`${stack.url}/healthz`);
      expect(await simplePost(`${stack.url}/api/sweeps`, YAML.replace("cross-site", name))).toEqual(["201"]);
      const sweeps = await stack.store.listSweeps(0, 100);
      expect(sweeps.items.map((s) => s.name)).toContain(name);
    });
  });
});
