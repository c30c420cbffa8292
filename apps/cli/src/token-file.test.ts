import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ensureToken, ephemeralToken } from "./token-file.ts";

describe("stack tokens", () => {
  let cwd: string;
  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), "hpo-token-"));
  });
  afterEach(() => rmSync(cwd, { recursive: true, force: true }));

  it("generates .hpo/token (mode 0600) once and reuses it", () => {
    const first = ensureToken(cwd, {});
    expect(first.origin).toBe("generated");
    expect(first.token.length).toBeGreaterThanOrEqual(32);
    expect(readFileSync(join(cwd, ".hpo/token"), "utf8").trim()).toBe(first.token);
    expect(statSync(join(cwd, ".hpo/token")).mode & 0o777).toBe(0o600);
    const second = ensureToken(cwd, {});
    expect(second).toMatchObject({ token: first.token, origin: "file" });
  });

  it("prefers HPO_TOKEN and then writes nothing", () => {
    expect(ensureToken(cwd, { HPO_TOKEN: "from-env" })).toMatchObject({ token: "from-env", origin: "env" });
    expect(existsSync(join(cwd, ".hpo/token"))).toBe(false);
  });

  it("keeps the demo's token in memory only", () => {
    const a = ephemeralToken({});
    expect(a.origin).toBe("ephemeral");
    expect(a.token).not.toBe(ephemeralToken({}).token);
    expect(ephemeralToken({ HPO_TOKEN: "x" })).toMatchObject({ token: "x", origin: "env" });
  });
});
