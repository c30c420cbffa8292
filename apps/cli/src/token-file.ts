import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CONFIG_DIR } from "./config.ts";

/** Where the token came from. */
export type TokenOrigin = "env" | "file" | "generated" | "ephemeral";

/**
 * The API token of a local stack: HPO_TOKEN when set; else the one in `<cwd>/.hpo/token`; else a
 * new random token written there (mode 0600) so that later CLI calls in this folder find it.
 */
export function ensureToken(
  cwd: string,
  env: Readonly<Record<string, string | undefined>>,
): {
  readonly token: string;
  readonly origin: TokenOrigin;
  readonly path: string;
} {
  const path = join(cwd, CONFIG_DIR, "token");
  const fromEnv = env.HPO_TOKEN?.trim();
  if (fromEnv) return { token: fromEnv, origin: "env", path };
  if (existsSync(path)) {
    const token = readFileSync(path, "utf8").trim();
    if (token) return { token, origin: "file", path };
  }
  mkdirSync(join(cwd, CONFIG_DIR), { recursive: true });
  const token = randomBytes(24).toString("base64url");
  writeFileSync(path, `${token}\n`, { mode: 0o600 });
  return { token, origin: "generated", path };
}

/** HPO_TOKEN when set, else a random token that is never written anywhere. */
export function ephemeralToken(env: Readonly<Record<string, string | undefined>>): {
  readonly token: string;
  readonly origin: TokenOrigin;
  readonly path?: undefined;
} {
  const fromEnv = env.HPO_TOKEN?.trim();
  return fromEnv
    ? { token: fromEnv, origin: "env" }
    : { token: randomBytes(24).toString("base64url"), origin: "ephemeral" };
}
