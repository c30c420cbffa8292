import type { Registry } from "prom-client";
import { FAST_BUCKETS } from "./buckets.ts";
import { FAMILIES } from "./families.ts";
import { histogramOf } from "./metric-of.ts";

/** The parts of an express request the middleware reads (no express import). */
export interface RouteRequest {
  readonly method?: string | undefined;
  readonly baseUrl?: string | undefined;
  readonly route?: { readonly path?: unknown } | undefined;
}

/** The parts of a response the middleware reads (node's ServerResponse fits). */
export interface StatusResponse {
  readonly statusCode: number;
  once(event: "finish", listener: () => void): unknown;
}

export type Middleware = (req: RouteRequest, res: StatusResponse, next: () => void) => void;

/** Route label of requests that matched no route (static files, 404s): never the raw URL. */
export const UNMATCHED_ROUTE = "unmatched";

/**
 * Express middleware observing hpo_http_request_duration_seconds{route,method,status}. Mount it
 * before the routes; the `route` label is the matched pattern (`req.baseUrl + req.route.path`,
 * e.g. `/api/sweeps/:id`, the mount path lower-cased), or "unmatched".
 *
 * The pattern is captured when the router assigns `req.route` (an accessor on the request),
 * because by the time an error response finishes express has already restored `req.baseUrl`
 * to the parent router's and the mount path would be lost.
 */
export function createHttpMetricsMiddleware(registry: Registry): Middleware {
  const histogram = histogramOf(registry, FAMILIES.httpRequestDuration, FAST_BUCKETS);
  return (req, res, next) => {
    const end = histogram.startTimer();
    let matched: string | undefined;
    let current = req.route;
    Object.defineProperty(req, "route", {
      configurable: true,
      enumerable: true,
      get: () => current,
      set: (value: RouteRequest["route"]) => {
        current = value;
        // express matches paths case-insensitively: `/API/Sweeps/x` has the baseUrl "/API/Sweeps";
        // mount paths are fixed strings, so folding them keeps one label value per route
        if (typeof value?.path === "string") {
          matched = `${(req.baseUrl ?? "").toLowerCase()}${value.path}`.replace(/(.)\/$/, "$1");
        }
      },
    });
    res.once("finish", () => {
      end({ route: matched ?? UNMATCHED_ROUTE, method: req.method ?? "GET", status: String(res.statusCode) });
    });
    next();
  };
}
