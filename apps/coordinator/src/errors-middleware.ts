import { type ApiErrorBody, HpoError, isHpoError } from "@hpo/core";
import type { ErrorRequestHandler, RequestHandler } from "express";

/** The one place where errors become HTTP responses: HpoError.code → status via ERROR_STATUS. */
export function toHpoError(err: unknown): HpoError {
  if (isHpoError(err)) return err;
  const e = err as { type?: string; status?: number; message?: string; limit?: number };
  // body-parser errors (they carry `type`): bad input, never a 500
  if (e?.type === "entity.too.large") {
    return new HpoError("PAYLOAD_TOO_LARGE", `request body exceeds the limit of ${e.limit ?? "?"} bytes`);
  }
  if (e?.type === "entity.parse.failed") {
    return new HpoError("INVALID_REQUEST", `request body is not valid JSON: ${e.message ?? "parse error"}`);
  }
  if (typeof e?.type === "string" && typeof e.status === "number" && e.status >= 400 && e.status < 500) {
    return new HpoError("INVALID_REQUEST", `request body could not be read: ${e.message ?? e.type}`);
  }
  // other client errors raised by express itself, e.g. a path parameter that is not valid %-encoding
  if (typeof e?.status === "number" && e.status >= 400 && e.status < 500) {
    return new HpoError(e.status === 404 ? "NOT_FOUND" : "INVALID_REQUEST", `bad request: ${e.message ?? "invalid"}`);
  }
  return new HpoError("INTERNAL", "internal error");
}

export interface ErrorLogger {
  error(obj: object, msg?: string): void;
}

/** Express error middleware answering `ApiErrorBody`; logs 5xx with the original error. */
export function errorMiddleware(logger: ErrorLogger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const hpo = toHpoError(err);
    if (hpo.status >= 500) logger.error({ err, method: req.method, url: req.originalUrl }, "request failed");
    if (res.headersSent) return;
    const body: ApiErrorBody = {
      error: { code: hpo.code, message: hpo.message, ...(hpo.details !== undefined && { details: hpo.details }) },
    };
    res.status(hpo.status).json(body);
  };
}

/** Last route: unknown paths answer 404 with a JSON error. */
export const notFound: RequestHandler = (req, _res, next) => {
  next(new HpoError("NOT_FOUND", `no route for ${req.method} ${req.path}`));
};
