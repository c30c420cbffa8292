/**
 * The store's Lua scripts, loaded from `packages/store/lua/` (one script per file, named
 * `verbObject-<numKeys>.lua` as in BullMQ's src/commands; no number: the caller gives the key
 * count). Each file's header lists its KEYS, ARGV and results. Every script is idempotent:
 * replaying it (at-least-once delivery, a retried job, a restarted coordinator) changes nothing
 * twice. A line `--- @include "<name>"` pulls in, once per script, either a file of
 * `lua/includes/` (`"includes/moveState"`) or a piece generated here from the TypeScript
 * definitions, so that Lua and TypeScript cannot disagree:
 *   - `"results"`: `local RESULT = { DONE = 1, ... }`, from SCRIPT_RESULT (script-results.ts);
 *   - `"finalStates"`: `local FINAL = { completed = true, ... }`, from core's FINAL_TRIAL_STATES.
 *
 * The files are read once, when this module is first imported, from the `lua/` folder of the
 * @hpo/store package, found through module resolution (the package's self-reference from source,
 * the app's dependency from a bundle such as apps/coordinator/dist/main.js, tools/build.mjs): no
 * copy of the files is needed beside a bundle.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { FINAL_TRIAL_STATES } from "@hpo/core";
import { SCRIPT_RESULT } from "./script-results.ts";

/** Where the .lua files are: `lua/` of the @hpo/store package (its entry is `src/index.ts`). */
export const LUA_DIR = pathToFileURL(
  join(dirname(dirname(createRequire(import.meta.url).resolve("@hpo/store"))), "lua") + sep,
);

/** One loaded script, ready for EVALSHA. */
export interface LuaScript {
  /** The file name without `.lua`, e.g. "finishTrial-4". */
  readonly name: string;
  /** Keys it takes (the number in its name); undefined when the caller says (no number). */
  readonly numberOfKeys: number | undefined;
  /** The source with its includes expanded. */
  readonly lua: string;
  /** SHA1 of `lua`, what EVALSHA takes. */
  readonly sha: string;
}

const luaTable = (name: string, entries: readonly (readonly [string, string])[]): string =>
  `local ${name} = { ${entries.map(([k, v]) => `${k} = ${v}`).join(", ")} }\n`;

/** The includes generated from TypeScript definitions (see the module comment). */
const GENERATED: Readonly<Record<string, string>> = {
  results: luaTable(
    "RESULT",
    Object.entries(SCRIPT_RESULT).map(([k, v]) => [k, String(v)]),
  ),
  finalStates: luaTable(
    "FINAL",
    FINAL_TRIAL_STATES.map((s) => [s, "true"]),
  ),
};

const INCLUDE = /^--- @include "([^"]+)"$/gm;

/**
 * The source of `lua/<name>.lua` with its `--- @include` lines replaced by what they name (each
 * once; includes may include). Throws when a file or an include is missing.
 */
function expand(name: string, seen: Set<string>): string {
  const source = Object.hasOwn(GENERATED, name)
    ? (GENERATED[name] as string)
    : readFileSync(new URL(`${name}.lua`, LUA_DIR), "utf8");
  return source.replace(INCLUDE, (_, include: string) => {
    if (seen.has(include)) return "";
    seen.add(include);
    return expand(include, seen);
  });
}

/** Loads `lua/<name>.lua` (its includes expanded). Throws when a file or an include is missing. */
export function loadLuaScript(name: string): LuaScript {
  const lua = expand(name, new Set());
  const keys = /-(\d+)$/.exec(name)?.[1];
  return {
    name,
    numberOfKeys: keys === undefined ? undefined : Number(keys),
    lua,
    sha: createHash("sha1").update(lua).digest("hex"),
  };
}

/** Every script of the store, by what it does. */
export const SCRIPTS = {
  proposeTrials: loadLuaScript("proposeTrials-1"),
  markRunning: loadLuaScript("markRunning-2"),
  appendEpochs: loadLuaScript("appendEpochs-2"),
  finishTrial: loadLuaScript("finishTrial-4"),
  finishSelection: loadLuaScript("finishSelection-2"),
  reportStep: loadLuaScript("reportStep-3"),
  setSweepStatus: loadLuaScript("setSweepStatus-2"),
  reopenSweep: loadLuaScript("reopenSweep-2"),
  listTrials: loadLuaScript("listTrials-2"),
  scanTrials: loadLuaScript("scanTrials-1"),
  packTrials: loadLuaScript("packTrials"),
} as const;
