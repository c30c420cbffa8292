import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deleteKeysUnder } from "@hpo/store";
import { uniquePrefix } from "@hpo/store/testing";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { type Proc, REDIS_URL, startCoordinatorProcess } from "../helpers/processes.ts";

describe("the coordinator process (apps/coordinator/src/main.ts)", () => {
  const prefix = uniquePrefix("e2e-coordproc");
  const redis = new Redis(REDIS_URL);
  const procs: Proc[] = [];

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop("SIGKILL")));
    await deleteKeysUnder(redis, prefix);
    await redis.quit();
  });

  it("reads its env (prefix, port, token), serves the API, and stops cleanly on SIGTERM", async () => {
    const { proc, url } = await startCoordinatorProcess({ prefix, env: { HPO_TOKEN: "t0ken" } });
    procs.push(proc);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);

    const body = "name: proc-test\ndataset: iris\nbudget: { max_trials: 1, max_parallel: 1, max_epochs: 1 }\n";
    const anonymous = await fetch(`${url}/api/sweeps`, {
      method: "POST",
      headers: { "content-type": "application/yaml" },
      body,
    });
    expect(anonymous.status).toBe(401);
    const created = await fetch(`${url}/api/sweeps`, {
      method: "POST",
      headers: { "content-type": "application/yaml", authorization: "Bearer t0ken" },
      body,
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    // the sweep lives under HPO_PREFIX
    expect(await redis.exists(`${prefix}:sweep:${id}`)).toBe(1);

    expect(await proc.stop("SIGTERM")).toBe(0);
    const msgs = proc.logs().map((r) => r.msg);
    expect(msgs).toContain("coordinator stopping");
    expect(msgs).toContain("coordinator stopped");
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  // `hpo up` writes .hpo/token where it runs; benches and tests start coordinators from the repo
  // root, and a user may have HPO_TOKEN exported: neither may turn on auth in their processes.
  it("takes its token from HPO_TOKEN only: not from .hpo/token in its folder, not from the test's env", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hpo-coordproc-"));
    mkdirSync(join(dir, ".hpo"));
    writeFileSync(join(dir, ".hpo/token"), "token-of-an-earlier-hpo-up\n");
    const saved = process.env.HPO_TOKEN;
    process.env.HPO_TOKEN = "token-exported-by-the-user";
    try {
      const { proc, url } = await startCoordinatorProcess({ prefix, cwd: dir });
      procs.push(proc);
      const created = await fetch(`${url}/api/sweeps`, {
        method: "POST",
        headers: { "content-type": "application/yaml" },
        body: "name: no-token\ndataset: iris\nbudget: { max_trials: 1, max_parallel: 1, max_epochs: 1 }\n",
      });
      expect(created.status).toBe(201);
      expect(proc.logs().find((r) => r.msg === "coordinator listening")?.auth).toBe(false);
      expect(await proc.stop("SIGTERM")).toBe(0);
    } finally {
      if (saved === undefined) delete process.env.HPO_TOKEN;
      else process.env.HPO_TOKEN = saved;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
