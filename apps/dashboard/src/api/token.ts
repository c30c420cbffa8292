/**
 * The API token, kept in localStorage; every request sends it as a Bearer token. A read token
 * (HPO_READ_TOKEN) is enough to browse; when an action is refused for the lack of the submit scope
 * the page asks for a token that has it (`askForToken`) and keeps that one instead.
 */
const KEY = "hpo.token";
const listeners = new Set<() => void>();

export function getToken(): string {
  try {
    return localStorage.getItem(KEY) ?? "";
  } catch {
    return "";
  }
}

export function setToken(token: string): void {
  try {
    if (token) localStorage.setItem(KEY, token);
    else localStorage.removeItem(KEY);
  } catch {
    // storage disabled: the token lives only for this page
  }
  for (const fn of listeners) fn();
}

export function onTokenChange(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

type TokenPrompt = (reason: string) => string | undefined | Promise<string | undefined>;
let prompt: TokenPrompt | undefined;

/** Registers how the page asks the user for a token (main.ts); replaces the previous one. */
export function setTokenPrompt(fn: TokenPrompt): void {
  prompt = fn;
}

/**
 * Asks the user for a token with the submit scope, `reason` being the coordinator's refusal; stores
 * and returns it, or undefined when the user gives none (or no prompt is registered).
 */
export async function askForToken(reason: string): Promise<string | undefined> {
  const given = (await prompt?.(reason))?.trim();
  if (!given) return undefined;
  setToken(given);
  return given;
}
