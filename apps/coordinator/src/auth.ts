import { createHash, timingSafeEqual } from "node:crypto";
import { HpoError } from "@hpo/core";
import type { RequestHandler } from "express";

const digest = (s: string) => createHash("sha256").update(s).digest();

/**
 * Requires `Authorization: Bearer <token>` on mutating methods (POST, PUT, PATCH, DELETE) when a
 * token is configured; reads stay open unless `reads` is true. Compares digests in constant time.
 * A missing or wrong token answers 401 UNAUTHORIZED. Without a token configured it lets
 * everything through.
 */
export function requireToken(token: string | undefined, options: { readonly reads?: boolean } = {}): RequestHandler {
  if (!token) return (_req, _res, next) => next();
  const expected = digest(token);
  return (req, _res, next) => {
    const read = req.method === "GET" || req.method === "HEAD" || req.method === "OPTIONS";
    if (read && !options.reads) return next();
    const header = req.get("authorization") ?? "";
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (!match) return next(new HpoError("UNAUTHORIZED", `${req.method} ${req.path}: missing bearer token`));
    if (!timingSafeEqual(digest(match[1] ?? ""), expected)) {
      return next(new HpoError("UNAUTHORIZED", `${req.method} ${req.path}: invalid bearer token`));
    }
    next();
  };
}
