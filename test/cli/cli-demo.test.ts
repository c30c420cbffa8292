import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deleteTestKeys } from "@hpo/store/testing";
import { afterAll, describe, expect, it } from "vitest";
import { cleanEnv, freePort, runCli } from "./run-cli.ts";

/** `hpo demo` end to end with a small sweep file: start a stack, run, print, stop, exit 0. */
describe("hpo demo", () => {
  const prefix = `test-cli-demo-${randomUUID()}`;
  const dir = mkdtempSync(join(tmpdir(), "hpo-cli-demo-"));

  afterAll(async () => {
    await deleteTestKeys(prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs a sweep on a fresh stack, prints the leaderboard, stops the stack and exits 0", async () => {
    writeFileSync(
      join(dir, "tiny.yaml"),
      [
        "name: tiny-demo",
        "method: grid",
        "dataset: iris",
        "model: { hidden: [8] }",
        "cv: { folds: 3 }",
        "parameters:",
        "  learning_rate: { values: [0.01, 0.1] }",
        "budget: { max_epochs: 3 }",
      ].join("\n"),
    );
    const r = await runCli(["demo", "--file", "tiny.yaml", "--port", String(await freePort())], {
      cwd: dir,
      env: cleanEnv({ REDIS_URL: "redis://127.0.0.1:6379", HPO_PREFIX: prefix }),
      timeoutMs: 170_000,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/sweep \S+ "tiny-demo": completed/);
    expect(r.stdout).toContain("folds (k=3)");
    expect(r.stdout.match(/│ completed/g)?.length).toBe(2);
    expect(r.stderr).toContain("hpo demo: stopping the stack");
    expect(r.stderr).toMatch(/backend selected .*backend=\w+/);
    // The demo keeps its API token in memory: no .hpo/token that would turn on auth for others.
    expect(existsSync(join(dir, ".hpo/token"))).toBe(false);
    const logs = readdirSync(join(dir, ".hpo/logs"));
    expect(logs).toHaveLength(1);
    const log = readFileSync(join(dir, ".hpo/logs", logs[0] as string), "utf8");
    expect(log).toContain("[coordinator]");
    expect(log).toMatch(/\[worker-2\]/);
  });
});
