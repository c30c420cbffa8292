/**
 * A sample of the API fuzz cases through the CLI (`hpo submit <file>`; processes are slow, so
 * fewer): every hostile file exits 2 with `hpo: CODE: ...` naming the field, no stack trace,
 * nothing submitted. The coordinator it points at (in-process) must see no request at all.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanEnv, runCli } from "../cli/run-cli.ts";
import { REPO_ROOT } from "../helpers/processes.ts";
import { type FuzzCase, fuzzCase, hugeBody } from "./spec-fuzzer.ts";

const SEED = Number(process.env.FUZZ_SEED ?? 20261128);
const SAMPLE = Number(process.env.FUZZ_CLI_CASES ?? 12);

/** The first `count` cases of the stream that must be refused, one per kind where possible. */
function sample(count: number): FuzzCase[] {
  const out: FuzzCase[] = [];
  const kinds = new Set<string>();
  for (let n = 0; out.length < count && n < 10_000; n++) {
    const c = fuzzCase(SEED, n);
    if (c.must === "any" || kinds.has(c.kind)) continue;
    kinds.add(c.kind);
    out.push(c);
  }
  return out;
}

describe(`CLI fuzz: ${SAMPLE} hostile sweep files + a 10 MB one (seed ${SEED})`, () => {
  let dir: string;
  let server: Server;
  let url = "";
  let requests = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "hpo-cli-fuzz-"));
    const { createServer } = await import("node:http");
    server = createServer((_req, res) => {
      requests++;
      res.writeHead(500).end();
    });
    server.listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it("exits 2 with a message naming the field for every file, and sends nothing", async () => {
    const cases: (Pick<FuzzCase, "body" | "contentType" | "kind"> & { path?: string; must?: string })[] = [
      ...sample(SAMPLE),
      hugeBody(10, 0),
    ];
    const failures: string[] = [];
    let next = 0;
    const lane = async () => {
      for (let i = next++; i < cases.length; i = next++) {
        const c = cases[i] as (typeof cases)[number];
        const file = join(dir, `case-${i}.${c.contentType === "application/json" ? "json" : "yaml"}`);
        writeFileSync(file, c.body);
        const r = await runCli(["submit", file], {
          cwd: REPO_ROOT,
          env: cleanEnv({ HPO_URL: url }),
          timeoutMs: 60_000,
        });
        const where = `${c.kind} (case file ${i})`;
        if (r.code !== 2) failures.push(`${where}: exit ${r.code}: ${r.stderr.slice(0, 300)}`);
        else if (!/^hpo: [A-Z_]+: /m.test(r.stderr))
          failures.push(`${where}: no "hpo: CODE:" line: ${r.stderr.slice(0, 300)}`);
        else if (/\n\s+at .+:\d+:\d+/.test(r.stderr)) failures.push(`${where}: stack trace on stderr`);
        else if (c.must === "reject-naming-field" && c.path !== undefined && !r.stderr.includes(`: ${c.path} `)) {
          failures.push(`${where}: does not name ${JSON.stringify(c.path)}: ${r.stderr.slice(0, 300)}`);
        }
      }
    };
    await Promise.all([lane(), lane()]);
    expect(failures).toEqual([]);
    expect(requests).toBe(0);
  });
});
