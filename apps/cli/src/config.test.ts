import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_URL, resolveConfig } from "./config.ts";

describe("resolveConfig", () => {
  let cwd: string;
  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), "hpo-config-"));
  });
  afterEach(() => rmSync(cwd, { recursive: true, force: true }));

  const writeConfig = (obj: unknown) => {
    mkdirSync(join(cwd, ".hpo"), { recursive: true });
    writeFileSync(join(cwd, ".hpo/config.json"), JSON.stringify(obj));
  };
  const writeToken = (token: string) => {
    mkdirSync(join(cwd, ".hpo"), { recursive: true });
    writeFileSync(join(cwd, ".hpo/token"), `${token}\n`);
  };

  it("defaults to http://127.0.0.1:8080 and no token", () => {
    const c = resolveConfig({ cwd, env: {} });
    expect(c.url).toBe(DEFAULT_URL);
    expect(c.token).toBeUndefined();
    expect(c.sources).toEqual({ url: "default" });
  });

  it("takes flags over env over file", () => {
    writeConfig({ url: "http://file:1", token: "file-token" });
    const env = { HPO_URL: "http://env:2", HPO_TOKEN: "env-token" };
    expect(resolveConfig({ cwd, env, flags: { url: "http://flag:3", token: "flag-token" } })).toMatchObject({
      url: "http://flag:3",
      token: "flag-token",
      sources: { url: "flag", token: "flag" },
    });
    expect(resolveConfig({ cwd, env })).toMatchObject({
      url: "http://env:2",
      token: "env-token",
      sources: { url: "env", token: "env" },
    });
    expect(resolveConfig({ cwd, env: {} })).toMatchObject({
      url: "http://file:1",
      token: "file-token",
      sources: { url: "file", token: "file" },
    });
  });

  it("mixes sources per value and treats empty strings as unset", () => {
    writeConfig({ url: "http://file:1" });
    const c = resolveConfig({ cwd, env: { HPO_URL: "", HPO_TOKEN: "env-token" }, flags: { url: "  " } });
    expect(c).toMatchObject({ url: "http://file:1", token: "env-token", sources: { url: "file", token: "env" } });
  });

  it("reads the token file written by `hpo up` when config.json has no token", () => {
    writeToken("secret-from-up");
    expect(resolveConfig({ cwd, env: {} })).toMatchObject({ token: "secret-from-up", sources: { token: "file" } });
    writeConfig({ token: "from-config" });
    expect(resolveConfig({ cwd, env: {} }).token).toBe("from-config");
    expect(resolveConfig({ cwd, env: { HPO_TOKEN: "env" } }).token).toBe("env");
  });

  it("strips trailing slashes from the URL", () => {
    expect(resolveConfig({ cwd, env: { HPO_URL: "http://h:9/base//" } }).url).toBe("http://h:9/base");
  });

  it("rejects a URL that is not http(s), naming where it came from", () => {
    expect(() => resolveConfig({ cwd, env: { HPO_URL: "redis://x:6379" } })).toThrow(/from env.*http or https/);
    expect(() => resolveConfig({ cwd, flags: { url: "not a url" } })).toThrow(
      /"not a url" \(from flag\) is not a valid URL/,
    );
  });

  it("reports a config.json that is not JSON with its path", () => {
    mkdirSync(join(cwd, ".hpo"), { recursive: true });
    writeFileSync(join(cwd, ".hpo/config.json"), "{ nope");
    expect(() => resolveConfig({ cwd, env: {} })).toThrow(/cannot parse .*config\.json/);
  });
});
