import { Histogram, type Registry } from "prom-client";
import { FAST_BUCKETS } from "./buckets.ts";
import { FAMILIES } from "./families.ts";

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
 * e.g. `/api/sweeps/:id`), read when the response finishes, or "unmatched".
 */
export function createHttpMetricsMiddleware(registry: Registry): Middleware {
  const histogram = new Histogram({
    name: FAMILIES.httpRequestDuration.name,
    help: FAMILIES.httpRequestDuration.help,
    labelNames: ["route", "method", "status"],
    buckets: [...FAST_BUCKETS],
    registers: [registry],
  });
  return (req, res, next) => {
    const end = histogram.startTimer();
    res.once("finish", () => {
      end({ route: routeOf(req), method: req.method ?? "GET", status: String(res.statusCode) });
    });
    next();
  };
}

function routeOf(req: RouteRequest): string {
  const path = req.route?.path;
  if (typeof path !== "string") return UNMATCHED_ROUTE;
  return `${req.baseUrl ?? ""}${path}` || "/";
}
