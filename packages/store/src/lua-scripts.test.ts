import { readdirSync } from "node:fs";
import { FINAL_TRIAL_STATES } from "@hpo/core";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { LUA_DIR, loadLuaScript, SCRIPTS } from "./lua-scripts.ts";
import { SCRIPT_RESULT } from "./script-results.ts";
import { TEST_REDIS_URL } from "./testing/index.ts";

describe("lua scripts", () => {
  const redis = new Redis(TEST_REDIS_URL);
  afterAll(() => redis.quit());

  it("loads every file of lua/ as a script of the store, includes expanded, keys from the name", () => {
    const files = readdirSync(LUA_DIR)
      .filter((f) => f.endsWith(".lua"))
      .map((f) => f.slice(0, -4))
      .sort();
    expect(
      Object.values(SCRIPTS)
        .map((s) => s.name)
        .sort(),
    ).toEqual(files);
    for (const s of Object.values(SCRIPTS)) {
      expect(s.lua, s.name).not.toMatch(/@include/);
      const keys = /-(\d+)$/.exec(s.name)?.[1];
      expect(s.numberOfKeys, s.name).toBe(keys === undefined ? undefined : Number(keys));
    }
  });

  it("compiles every script in Redis under the SHA the store sends with EVALSHA", async () => {
    for (const s of Object.values(SCRIPTS)) expect(await redis.script("LOAD", s.lua), s.name).toBe(s.sha);
  });

  it("gives the scripts the result codes and final states of the TypeScript definitions", async () => {
    // the generated lines as finishTrial carries them, run on their own
    const lines = SCRIPTS.finishTrial.lua.split("\n").filter((l) => /^local (RESULT|FINAL) = /.test(l));
    expect(lines).toHaveLength(2);
    const probe = `${lines.join("\n")}\nreturn { cjson.encode(RESULT), cjson.encode(FINAL) }`;
    const [results, finals] = (await redis.eval(probe, 0)) as [string, string];
    expect(JSON.parse(results)).toEqual(SCRIPT_RESULT);
    expect(Object.keys(JSON.parse(finals)).sort()).toEqual([...FINAL_TRIAL_STATES].sort());
  });

  it("throws naming the file when a script is missing", () => {
    expect(() => loadLuaScript("noSuchScript-1")).toThrow(/noSuchScript-1\.lua/);
  });
});
