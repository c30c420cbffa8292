import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, it } from "vitest";
import { cleanEnv, freePort, runCli } from "./run-cli.ts";

// Independent processes: the tests run concurrently (each CLI start costs a node + tsx boot).
describe.concurrent("hpo CLI errors (as a process)", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "hpo-cli-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("rejects an invalid sweep file with exit 2, naming the field path, before any request", async ({ expect }) => {
    const file = join(dir, "bad.yaml");
    writeFileSync(
      file,
      [
        "name: bad",
        "dataset: iris",
        "cv: { folds: 1 }",
        "parameters:",
        "  learning_rate: { distribution: log_uniform_values, min: -1, max: 0.1 }",
      ].join("\n"),
    );
    // A dead URL: if the CLI tried to submit, the error would be UNAVAILABLE (exit 1), not INVALID_SPEC.
    const url = `http://127.0.0.1:${await freePort()}`;
    const r = await runCli(["submit", file, "--url", url], { cwd: dir, env: cleanEnv() });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("INVALID_SPEC");
    expect(r.stderr).toContain("parameters.learning_rate.min");
    expect(r.stderr).toContain("cv.folds");
  });

  it("prints a warning for each W&B key hpo ignores, before submitting", async ({ expect }) => {
    const file = join(dir, "wandb.yaml");
    writeFileSync(file, ["dataset: iris", "project: mnist", "entity: me", "run_cap: 3"].join("\n"));
    // A dead URL: the warnings come from the local check, then the submit fails (exit 1).
    const url = `http://127.0.0.1:${await freePort()}`;
    const r = await runCli(["submit", file, "--url", url], { cwd: dir, env: cleanEnv() });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file}: warning: project is ignored: hpo has no W&B projects`);
    expect(r.stderr).toContain(`${file}: warning: entity is ignored`);
  });

  it("rejects a file that is not YAML with exit 2 and a line number", async ({ expect }) => {
    const file = join(dir, "broken.yaml");
    writeFileSync(file, "name: x\nparameters: [unclosed\n");
    const r = await runCli(["submit", file], { cwd: dir, env: cleanEnv() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/YAML syntax error at line \d+/);
  });

  it("reports a missing file with exit 2", async ({ expect }) => {
    const r = await runCli(["submit", join(dir, "nope.yaml")], { cwd: dir, env: cleanEnv() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("nope.yaml: cannot read: no such file");
  });

  it("hpo up --monitor without prometheus on PATH says how to install it and starts nothing (exit 1)", async ({
    expect,
  }) => {
    const here = mkdtempSync(join(tmpdir(), "hpo-cli-monitor-"));
    try {
      // The CLI runs node by its absolute path; an empty PATH hides prometheus wherever it is installed.
      const env = cleanEnv({ PATH: here, REDIS_URL: "redis://127.0.0.1:6379" });
      const r = await runCli(["up", "--monitor", "--port", String(await freePort())], { cwd: here, env });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("found no `prometheus` on PATH");
      expect(r.stderr).toContain("sudo apt-get install -y prometheus");
      expect(existsSync(join(here, ".hpo"))).toBe(false);
    } finally {
      rmSync(here, { recursive: true, force: true });
    }
  });

  it("says how to start the stack when the coordinator is unreachable (exit 1)", async ({ expect }) => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const commands = [["ls"], ["status", "s1"], ["cancel", "s1"]];
    const results = await Promise.all(
      commands.map((args) => runCli(args, { cwd: dir, env: cleanEnv({ HPO_URL: url }) })),
    );
    results.forEach((r, i) => {
      expect(r.code, commands[i]?.join(" ")).toBe(1);
      expect(r.stderr).toContain(`cannot reach the coordinator at ${url}: is \`pnpm hpo up\` running?`);
    });
  });

  it("exits 2 on usage errors: unknown command, unknown option, missing argument, bad number", async ({ expect }) => {
    const commands = [["frobnicate"], ["ls", "--bogus"], ["status"], ["up", "--workers", "zero"]];
    const results = await Promise.all(commands.map((args) => runCli(args, { cwd: dir, env: cleanEnv() })));
    results.forEach((r, i) => {
      expect(r.code, commands[i]?.join(" ")).toBe(2);
      expect(r.stderr).toMatch(/error: /);
    });
  });

  it("refuses a coordinator URL that is not http(s) with exit 2", async ({ expect }) => {
    const r = await runCli(["ls"], { cwd: dir, env: cleanEnv({ HPO_URL: "redis://127.0.0.1:6379" }) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("must be http or https");
  });
});
