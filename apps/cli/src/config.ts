import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { HpoError } from "@hpo/core";

/** Where the coordinator is when nothing else says so. */
export const DEFAULT_URL = "http://127.0.0.1:8080";

/** Folder (relative to the working directory) holding `config.json` and `token`. */
export const CONFIG_DIR = ".hpo";

export type ConfigSource = "flag" | "env" | "file" | "default";

/** What the CLI uses to reach the coordinator. */
export interface CliConfig {
  /** Base URL of the coordinator, without a trailing slash. */
  readonly url: string;
  /** Bearer token for mutating routes; absent when none is configured. */
  readonly token?: string;
  /** Where each value came from (shown by error messages and tests). */
  readonly sources: { readonly url: ConfigSource; readonly token?: ConfigSource };
}

/** Inputs of `resolveConfig`; all explicit so that tests need no real process state. */
export interface ConfigInputs {
  /** Global flags `--url` and `--token`. */
  readonly flags?: { readonly url?: string | undefined; readonly token?: string | undefined };
  /** Usually `process.env`; reads HPO_URL and HPO_TOKEN. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Directory whose `.hpo/` folder is read; usually `process.cwd()`. */
  readonly cwd: string;
}

interface FileConfig {
  readonly url?: string;
  readonly token?: string;
}

/**
 * Resolves the CLI configuration: flags > env (HPO_URL, HPO_TOKEN) > file
 * (`.hpo/config.json` with `{ "url", "token" }`, then the token file `.hpo/token` written by
 * `hpo up`) > defaults (DEFAULT_URL, no token). Empty strings count as unset.
 * Throws HpoError INVALID_REQUEST when `.hpo/config.json` is not valid JSON or the URL is not http(s).
 */
export function resolveConfig(inputs: ConfigInputs): CliConfig {
  const env = inputs.env ?? {};
  const file = readFileConfig(inputs.cwd);

  const url = pick<string>([
    [inputs.flags?.url, "flag"],
    [env.HPO_URL, "env"],
    [file.url, "file"],
  ]) ?? { value: DEFAULT_URL, source: "default" as const };
  const token = pick<string>([
    [inputs.flags?.token, "flag"],
    [env.HPO_TOKEN, "env"],
    [file.token, "file"],
  ]);
  const base = normaliseUrl(url.value, url.source);
  return token
    ? { url: base, token: token.value, sources: { url: url.source, token: token.source } }
    : { url: base, sources: { url: url.source } };
}

function pick<T extends string>(
  candidates: readonly (readonly [T | undefined, ConfigSource])[],
): { value: T; source: ConfigSource } | undefined {
  for (const [value, source] of candidates) {
    if (value !== undefined && value.trim() !== "") return { value: value.trim() as T, source };
  }
  return undefined;
}

function normaliseUrl(raw: string, source: ConfigSource): string {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new HpoError("INVALID_REQUEST", `config: coordinator URL "${raw}" (from ${source}) is not a valid URL`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new HpoError("INVALID_REQUEST", `config: coordinator URL "${raw}" (from ${source}) must be http or https`);
  }
  return parsed.toString().replace(/\/+$/, "");
}

function readFileConfig(cwd: string): FileConfig {
  const dir = join(cwd, CONFIG_DIR);
  let config: FileConfig = {};
  const configPath = join(dir, "config.json");
  if (existsSync(configPath)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(configPath, "utf8"));
    } catch (e) {
      throw new HpoError("INVALID_REQUEST", `config: cannot parse ${configPath}: ${(e as Error).message}`);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new HpoError("INVALID_REQUEST", `config: ${configPath} must hold a JSON object like {"url": "..."}`);
    }
    const obj = parsed as Record<string, unknown>;
    config = {
      ...(typeof obj.url === "string" ? { url: obj.url } : {}),
      ...(typeof obj.token === "string" ? { token: obj.token } : {}),
    };
  }
  const tokenPath = join(dir, "token");
  if (config.token === undefined && existsSync(tokenPath)) {
    config = { ...config, token: readFileSync(tokenPath, "utf8").trim() };
  }
  return config;
}
