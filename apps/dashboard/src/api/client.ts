/**
 * The one HTTP client of the dashboard. Adds the API token to every request (asking the user for
 * one allowed to submit, once, when the coordinator refuses an action with 401 or 403), turns error
 * responses (`ApiErrorBody`) into `ApiError`, and returns parsed JSON; the per-resource modules
 * convert that JSON into domain types.
 */
import type { ApiErrorBody, Issue } from "@hpo/core";
import { askForToken, getToken } from "./token.ts";

export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  /** Validation issues of an INVALID_SPEC error (empty otherwise). */
  get issues(): readonly Issue[] {
    const d = this.details;
    if (!Array.isArray(d)) return [];
    return d.filter((i): i is Issue => typeof i === "object" && i !== null && "message" in i && "path" in i);
  }
}

export interface RequestOptions {
  readonly method?: "GET" | "POST" | "DELETE";
  readonly body?: string;
  readonly contentType?: string;
  readonly signal?: AbortSignal;
}

/** Base URL of the API: same origin as the page (the coordinator serves the dashboard). */
const base = "";

let refusedRead = false;

/**
 * True when a read was refused (401: the coordinator protects reads and the token is missing or
 * wrong) since the last call; resets the flag. The page reloads its view after a new token then.
 */
export function takeRefusedRead(): boolean {
  const refused = refusedRead;
  refusedRead = false;
  return refused;
}

export async function request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const mutating = opts.method !== undefined && opts.method !== "GET";
  const send = (token: string) => {
    const headers: Record<string, string> = { accept: "application/json" };
    if (opts.body !== undefined) headers["content-type"] = opts.contentType ?? "application/json";
    // reads too: a coordinator with HPO_AUTH_READS=1 answers nothing without it
    if (token) headers.authorization = `Bearer ${token}`;
    return fetch(base + path, { method: opts.method ?? "GET", headers, body: opts.body, signal: opts.signal });
  };
  let res = await send(getToken());
  if (mutating && (res.status === 401 || res.status === 403)) {
    // the action needs a token with the submit scope (the one kept may be missing, wrong or
    // read-only): ask for it now, then try once more
    const refusal = await res
      .clone()
      .json()
      .then(
        (b: Partial<ApiErrorBody>) => b.error?.message ?? `HTTP ${res.status}`,
        () => `HTTP ${res.status}`,
      );
    const token = await askForToken(refusal);
    if (token) res = await send(token);
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (res.status === 401 && (opts.method ?? "GET") === "GET") refusedRead = true;
  if (!res.ok) {
    const err = (json as Partial<ApiErrorBody> | undefined)?.error;
    throw new ApiError(
      res.status,
      err?.code ?? "HTTP_ERROR",
      err?.message ?? `${opts.method ?? "GET"} ${path} failed with HTTP ${res.status}`,
      err?.details,
    );
  }
  return json as T;
}

/** Builds a query string, skipping undefined and empty values. */
export function query(params: Readonly<Record<string, string | number | undefined>>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
}
