/**
 * Everything the coordinator decides about who may do what: the API token (where it comes from,
 * when it is needed, how it is compared), the short-lived tickets of the event stream, which
 * addresses may be served without a token, and which browser requests count as coming from the
 * dashboard's own origin.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { HpoError } from "@hpo/core";
import type { Request, RequestHandler } from "express";

const digest = (s: string) => createHash("sha256").update(s).digest();

/** True for a method that only reads (GET, HEAD, OPTIONS). */
const isRead = (method: string) => method === "GET" || method === "HEAD" || method === "OPTIONS";

/**
 * The API token of a coordinator: `token` (HPO_TOKEN) trimmed, when not empty; else the trimmed
 * contents of `tokenFile` (HPO_TOKEN_FILE, e.g. a mounted Docker or Kubernetes secret) when given;
 * else undefined (no token).
 * @throws Error naming the file when `tokenFile` is given but cannot be read or is empty.
 */
export function loadToken(o: { readonly token?: string; readonly tokenFile?: string }): string | undefined {
  const fromEnv = o.token?.trim();
  if (fromEnv) return fromEnv;
  if (!o.tokenFile) return undefined;
  let text: string;
  try {
    text = readFileSync(o.tokenFile, "utf8").trim();
  } catch (e) {
    throw new Error(`HPO_TOKEN_FILE=${o.tokenFile}: cannot read the token file (${(e as Error).message})`);
  }
  if (!text) throw new Error(`HPO_TOKEN_FILE=${o.tokenFile}: the token file is empty`);
  return text;
}

/** True for host names and addresses that only this machine reaches (localhost, 127.0.0.0/8, ::1). */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, "$1");
  return h === "localhost" || h === "::1" || /^(::ffff:)?127(\.\d{1,3}){3}$/.test(h);
}

/**
 * Why the coordinator must not listen on `host` with `token`, or undefined when it may. Without a
 * token anyone who reaches the address can create and cancel sweeps, so only loopback addresses
 * may be served without one. Called by main.ts before anything is opened.
 */
export function bindRefusal(host: string, token: string | undefined): string | undefined {
  if (token || isLoopbackHost(host)) return undefined;
  return (
    `refusing to listen on ${host} without an API token: anyone who reaches this address could create and ` +
    "cancel sweeps. Set HPO_TOKEN (or HPO_TOKEN_FILE, e.g. a mounted secret) to a long random string, or " +
    "listen on 127.0.0.1 only (HPO_HOST=127.0.0.1)"
  );
}

/** True when `origin` (an Origin header) names the same host and port as `host` (the Host header). */
function originIsHost(origin: string, host: string | undefined): boolean {
  if (!host) return false;
  try {
    return new URL(origin).host === host.toLowerCase();
  } catch {
    return false; // "null" (sandboxed frames, file: pages) and junk
  }
}

/**
 * True when a browser says `req` comes from a page of this very origin: `Sec-Fetch-Site:
 * same-origin`, or (browsers without fetch metadata) an `Origin` whose host is the request's
 * `Host`. Requests without either header (curl, the CLI) are not same-origin.
 */
export function isSameOrigin(req: Request): boolean {
  const site = req.get("sec-fetch-site");
  if (site !== undefined) return site === "same-origin";
  const origin = req.get("origin");
  return origin !== undefined && originIsHost(origin, req.get("host"));
}

/**
 * Refuses mutating requests (anything but GET, HEAD, OPTIONS) that a browser sent from another
 * site: `Sec-Fetch-Site: cross-site` or `same-site`, or (without that header) an `Origin` other
 * than the request's own host. A page elsewhere can send a "simple" POST without a preflight; this keeps it from creating
 * or cancelling sweeps on a coordinator it can reach. Requests without these headers (the CLI,
 * curl) pass. Answers 403 FORBIDDEN naming the header.
 */
export const refuseCrossSite: RequestHandler = (req, _res, next) => {
  if (isRead(req.method)) return next();
  // browsers set Sec-Fetch-Site themselves (pages cannot); Origin is the fallback for older ones
  const site = req.get("sec-fetch-site");
  if (site === "cross-site" || site === "same-site") {
    return next(
      new HpoError("FORBIDDEN", `${req.method} ${req.path}: cross-site request refused (Sec-Fetch-Site: ${site})`),
    );
  }
  if (site !== undefined) return next();
  const origin = req.get("origin");
  if (origin !== undefined && !originIsHost(origin, req.get("host"))) {
    return next(
      new HpoError("FORBIDDEN", `${req.method} ${req.path}: request from another origin refused (Origin: ${origin})`),
    );
  }
  next();
};

/** How long an event-stream ticket stays valid. */
export const TICKET_TTL_MS = 60_000;

const ticketMac = (token: string, expires: number) =>
  createHmac("sha256", token).update(`hpo events ticket ${expires}`).digest("base64url");

/**
 * A short-lived ticket for `GET /api/events?ticket=…`: a browser's EventSource cannot send an
 * Authorization header, and the token itself must not go into a URL. `<expiry ms>.<HMAC-SHA256 of
 * it keyed by the token>`, valid for TICKET_TTL_MS from `now`; handed out by
 * `GET /api/events/ticket`, which needs the token like any protected read.
 */
export function eventTicket(token: string, now = Date.now()): { readonly ticket: string; readonly expiresAt: number } {
  const expiresAt = now + TICKET_TTL_MS;
  return { ticket: `${expiresAt}.${ticketMac(token, expiresAt)}`, expiresAt };
}

/** True when `ticket` was made by `eventTicket` with this token and has not expired at `now`. */
export function validTicket(token: string, ticket: unknown, now = Date.now()): boolean {
  if (typeof ticket !== "string") return false;
  const m = /^(\d{1,15})\.([A-Za-z0-9_-]{43})$/.exec(ticket);
  if (!m) return false;
  const expires = Number(m[1]);
  if (!(expires > now && expires <= now + TICKET_TTL_MS)) return false;
  return timingSafeEqual(digest(ticketMac(token, expires)), digest(m[2] as string));
}

/** Options of `requireToken`. */
export interface RequireTokenOptions {
  /** Reads (GET, HEAD, OPTIONS) need the token too. Default false. */
  readonly reads?: boolean;
  /**
   * Paths (relative to where the middleware is mounted) whose reads may show a valid `?ticket=`
   * (see `eventTicket`) instead of the header: the event stream. Default none.
   */
  readonly ticketPaths?: readonly string[];
}

/**
 * What a token may do. `read`: GET/HEAD under /api (sweeps, trials, logs, the dashboard's data),
 * checked only when reads are protected (HPO_AUTH_READS=1). `submit`: everything that changes a
 * sweep (create, cancel, resume, extend: every POST), and reading.
 */
export type Scope = "read" | "submit";

/**
 * The coordinator's API tokens. `token` (HPO_TOKEN) has every scope; `submitToken`
 * (HPO_SUBMIT_TOKEN) has submit and read; `readToken` (HPO_READ_TOKEN) has read only. With none
 * set, nothing is checked. With any set, a POST needs a token with the submit scope.
 */
export interface ApiTokens {
  readonly token?: string | undefined;
  readonly submitToken?: string | undefined;
  readonly readToken?: string | undefined;
}

const SCOPES_OF = { token: ["read", "submit"], submitToken: ["read", "submit"], readToken: ["read"] } as const;
const ENV_OF = { token: "HPO_TOKEN", submitToken: "HPO_SUBMIT_TOKEN", readToken: "HPO_READ_TOKEN" } as const;

/**
 * Checks that the tokens set are different from each other (one string with two scopes would be
 * ambiguous). Returns the problem, naming the variables, or undefined. Called by main.ts.
 */
export function tokensProblem(tokens: ApiTokens): string | undefined {
  const set = (Object.keys(ENV_OF) as (keyof ApiTokens)[]).filter((k) => tokens[k]);
  for (const [i, a] of set.entries())
    for (const b of set.slice(i + 1))
      if (tokens[a] === tokens[b])
        return `${ENV_OF[a]} and ${ENV_OF[b]} are the same string: give each scope its own token`;
  return undefined;
}

/**
 * The key of the event-stream tickets (`eventTicket`, `validTicket`): the first configured of
 * HPO_TOKEN, HPO_SUBMIT_TOKEN, HPO_READ_TOKEN; undefined without tokens.
 */
export function ticketKey(tokens: ApiTokens): string | undefined {
  return tokens.token || tokens.submitToken || tokens.readToken || undefined;
}

/**
 * Requires `Authorization: Bearer <token>` with the scope the request needs, when a token is
 * configured: a mutating method (POST, PUT, PATCH, DELETE) needs `submit`; a read needs `read`,
 * and only when `reads` is true (otherwise reads stay open); on `ticketPaths` a read may show a
 * valid `?ticket=` (keyed by `ticketKey`) instead. Every configured token's digest is compared,
 * in constant time. A missing or unknown token answers 401 UNAUTHORIZED; a known token without
 * the scope 403 FORBIDDEN, naming the scope. Without a token configured it lets everything
 * through. `tokens` may be one string: the all-scopes token.
 */
export function requireToken(
  tokens: ApiTokens | string | undefined,
  options: RequireTokenOptions = {},
): RequestHandler {
  const all: ApiTokens = typeof tokens === "string" ? { token: tokens } : (tokens ?? {});
  const known = (Object.keys(SCOPES_OF) as (keyof ApiTokens)[]).flatMap((k) => {
    const value = all[k];
    return value ? [{ digest: digest(value), scopes: SCOPES_OF[k] as readonly Scope[] }] : [];
  });
  const key = ticketKey(all);
  if (key === undefined) return (_req, _res, next) => next(); // no token configured (known is empty)
  return (req, _res, next) => {
    const scope: Scope = isRead(req.method) ? "read" : "submit";
    if (scope === "read" && !options.reads) return next();
    if (scope === "read" && options.ticketPaths?.includes(req.path) && req.query.ticket !== undefined) {
      if (validTicket(key, req.query.ticket)) return next();
      return next(new HpoError("UNAUTHORIZED", `${req.method} ${req.path}: invalid or expired ticket`));
    }
    const header = req.get("authorization") ?? "";
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (!match) return next(new HpoError("UNAUTHORIZED", `${req.method} ${req.path}: missing bearer token`));
    const given = digest(match[1] ?? "");
    let scopes: readonly Scope[] | undefined;
    for (const k of known) if (timingSafeEqual(given, k.digest)) scopes = k.scopes; // no early exit: same time for every token
    if (!scopes) return next(new HpoError("UNAUTHORIZED", `${req.method} ${req.path}: invalid bearer token`));
    if (!scopes.includes(scope)) {
      return next(
        new HpoError(
          "FORBIDDEN",
          `${req.method} ${req.path}: this token may only ${scopes.join(" and ")}; this needs the ${scope} scope (HPO_SUBMIT_TOKEN or HPO_TOKEN)`,
        ),
      );
    }
    next();
  };
}
