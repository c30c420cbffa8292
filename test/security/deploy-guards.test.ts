/**
 * Issue 22, row 2: a coordinator reachable from the network never runs open. The real process
 * refuses to listen on a non-loopback address without a token (clear message, exit 1), reads the
 * token from a mounted secret file (HPO_TOKEN_FILE), and the shipped Compose and Kubernetes files
 * take the token from a secret.
 */

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deleteKeysUnder } from "@hpo/store";
import { uniquePrefix } from "@hpo/store/testing";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { type Proc, REDIS_URL, spawnTs } from "../helpers/processes.ts";
import { readYaml, readYamlDocuments } from "../prometheus/infra-files.ts";

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === "object" ? (v as Obj) : {});

describe("the coordinator process on a non-loopback address", () => {
  const prefix = uniquePrefix("sec-bind");
  const redis = new Redis(REDIS_URL);
  // the secret files of these tests
  const cwd = mkdtempSync(join(tmpdir(), "hpo-bind-"));
  const procs: Proc[] = [];
  const start = (env: Record<string, string>) => {
    const proc = spawnTs(
      "apps/coordinator/src/main.ts",
      { REDIS_URL, HPO_PREFIX: prefix, HPO_PORT: "0", ...env },
      { cwd },
    );
    procs.push(proc);
    return proc;
  };
  /** "exit <code>", or "listening" when the process started serving instead. */
  const outcome = (proc: Proc) =>
    Promise.race([
      proc.exited.then((code) => `exit ${code}`),
      proc
        .waitForLog((r) => r.msg === "coordinator listening", "coordinator listening")
        .then(
          () => "listening",
          () => "exited",
        ),
    ]);

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop("SIGKILL")));
    rmSync(cwd, { recursive: true, force: true });
    await deleteKeysUnder(redis, prefix);
    await redis.quit();
  });

  it("refuses to start on 0.0.0.0 without a token, saying why and what to set", async () => {
    for (const host of ["0.0.0.0", "::"]) {
      const proc = start({ HPO_HOST: host });
      expect(await outcome(proc), host).toBe("exit 1");
      const fatal = proc.logs().find((r) => r.level === 60);
      expect(String(fatal?.msg), host).toContain(`refusing to listen on ${host} without an API token`);
      expect(String(fatal?.msg)).toContain("HPO_TOKEN");
      expect(proc.logs().some((r) => r.msg === "coordinator listening")).toBe(false);
    }
  });

  it("refuses to start when HPO_TOKEN_FILE names a missing or empty file", async () => {
    const empty = join(cwd, "empty.secret");
    writeFileSync(empty, "\n");
    for (const file of [join(cwd, "missing.secret"), empty]) {
      const proc = start({ HPO_HOST: "0.0.0.0", HPO_TOKEN_FILE: file });
      expect(await outcome(proc), file).toBe("exit 1");
      expect(String(proc.logs().find((r) => r.level === 60)?.msg)).toContain(`HPO_TOKEN_FILE=${file}`);
    }
  });

  it("starts on 0.0.0.0 with the token from a secret file, and the API needs that token", async () => {
    const file = join(cwd, "hpo-token.secret");
    writeFileSync(file, "f1le-t0ken-9b2e\n", { mode: 0o600 });
    const proc = start({ HPO_HOST: "0.0.0.0", HPO_TOKEN_FILE: file });
    const rec = await proc.waitForLog((r) => r.msg === "coordinator listening", "coordinator listening");
    expect(rec.auth).toBe(true);
    const url = String(rec.url).replace("0.0.0.0", "127.0.0.1");
    const body = "name: bind-test\ndataset: iris\nbudget: { max_trials: 1, max_parallel: 1, max_epochs: 1 }\n";
    const post = (headers: Record<string, string>) =>
      fetch(`${url}/api/sweeps`, { method: "POST", headers: { "content-type": "application/yaml", ...headers }, body });
    expect((await post({})).status).toBe(401);
    expect((await post({ authorization: "Bearer f1le-t0ken-9b2e" })).status).toBe(201);
    expect(await proc.stop("SIGTERM")).toBe(0);
  });
});

describe("shipped deployments take the API token from a secret", () => {
  it("infra/compose.yaml: the coordinator reads HPO_TOKEN_FILE from a Compose secret kept out of git", () => {
    const compose = obj(readYaml("compose.yaml"));
    const coordinator = obj(obj(compose.services).coordinator);
    const env = obj(coordinator.environment);
    expect(env.HPO_HOST).toBe("0.0.0.0"); // reachable from the network: hence the token
    expect(env.HPO_TOKEN).toBeUndefined(); // no token in the file itself
    const secrets = coordinator.secrets as string[];
    expect(secrets).toHaveLength(1);
    expect(env.HPO_TOKEN_FILE).toBe(`/run/secrets/${secrets[0]}`);
    const declared = obj(obj(compose.secrets)[secrets[0] as string]);
    expect(String(declared.file)).toMatch(/\.secret$/);
  });

  it("infra/k8s: the coordinator's HPO_TOKEN comes from a Secret", () => {
    const deployment = readYamlDocuments("k8s/coordinator.yaml")
      .map(obj)
      .find((d) => d.kind === "Deployment");
    const container = obj((obj(obj(obj(deployment?.spec).template).spec).containers as unknown[])[0]);
    const env = (container.env as Obj[]).map(obj);
    expect(env.find((e) => e.name === "HPO_HOST")?.value).toBe("0.0.0.0");
    const token = env.find((e) => e.name === "HPO_TOKEN");
    expect(token?.value).toBeUndefined();
    expect(obj(obj(token?.valueFrom).secretKeyRef).name).toBeTruthy();
  });
});
