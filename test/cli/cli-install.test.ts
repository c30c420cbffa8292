import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/processes.ts";
import { freePort } from "./run-cli.ts";

const run = promisify(execFile);
const PNPM = ["-y", "pnpm@10.34.8"];

/** Runs a command to completion; resolves with its exit code and output whatever the code. */
async function sh(
  file: string,
  args: readonly string[],
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(file, [...args], { cwd, timeout: 180_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === "number" ? err.code : -1, stdout: err.stdout ?? "", stderr: err.stderr ?? "" };
  }
}

/**
 * The ways README gives to run the built `hpo`: the workspace bin (`./node_modules/.bin/hpo`,
 * `pnpm exec hpo`) and a global install of the CLI packed with `pnpm pack` — a single bundle
 * with no dependencies, so `npm install -g` needs no registry.
 */
describe("hpo as an installed command", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "hpo-cli-install-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("./node_modules/.bin/hpo and pnpm exec hpo run the built CLI", async () => {
    const [bin, exec] = await Promise.all([
      sh(join(REPO_ROOT, "node_modules/.bin/hpo"), ["--version"], REPO_ROOT),
      sh("npx", [...PNPM, "exec", "hpo", "--version"], REPO_ROOT),
    ]);
    expect(bin).toMatchObject({ code: 0, stdout: "0.1.0\n" });
    expect(exec.code, exec.stderr).toBe(0);
    expect(exec.stdout.trim()).toBe("0.1.0");
  }, 200_000);

  it("pnpm pack, then npm install -g of the tarball: hpo works without the repository", async () => {
    const packed = await sh("npx", [...PNPM, "pack", "--pack-destination", dir], join(REPO_ROOT, "apps/cli"));
    expect(packed.code, packed.stderr).toBe(0);
    const tarball = readdirSync(dir).find((f) => /^hpo-cli-.*\.tgz$/.test(f));
    expect(tarball).toBeDefined();
    const prefix = join(dir, "global");
    const installed = await sh("npm", ["install", "-g", "--prefix", prefix, join(dir, tarball as string)], dir);
    expect(installed.code, installed.stderr).toBe(0);
    const hpo = join(prefix, "bin/hpo");
    const url = `http://127.0.0.1:${await freePort()}`;
    const [version, ls, up] = await Promise.all([
      sh(hpo, ["--version"], dir),
      sh(hpo, ["ls", "--url", url], dir),
      sh(hpo, ["up", "--port", String(await freePort())], dir),
    ]);
    expect(version).toMatchObject({ code: 0, stdout: "0.1.0\n" });
    expect(ls.code).toBe(1);
    expect(ls.stderr).toContain(`cannot reach the coordinator at ${url}`);
    // The local stack needs a checkout: a clear refusal, not a crash.
    expect(up.code).toBe(1);
    expect(up.stderr).toContain("this installation holds only the CLI");
  }, 300_000);
});
