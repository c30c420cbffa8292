import { existsSync } from "node:fs";
import path from "node:path";
import type { Store } from "@hpo/store";
import express, { type Express, type RequestHandler } from "express";
import type { Logger } from "pino";
import { eventTicket, refuseCrossSite, requireToken, ticketKey } from "./auth.ts";
import type { DatasetChecker } from "./dataset-check.ts";
import { errorMiddleware, notFound } from "./errors-middleware.ts";
import type { Refitter } from "./refits.ts";
import { securityHeaders } from "./security-headers.ts";
import { YAML_TYPES } from "./sweep-body.ts";
import { type RouterScheduler, sweepsRouter, type TrialMemoryLimit } from "./sweeps-router.ts";

/** Metrics hooks of the HTTP layer (fits @hpo/metrics: `http` middleware, `createMetricsHandler`). */
export interface AppMetrics {
  /** Mounted before every route (request duration by route and status). */
  readonly http?: (req: express.Request, res: express.Response, next: () => void) => void;
  /** Serves `GET /metrics` (Prometheus text format). */
  readonly handler?: (req: express.Request, res: express.Response) => void;
}

export interface AppDeps {
  readonly store: Store;
  readonly scheduler: RouterScheduler;
  /** Refits for `POST /api/sweeps/:id/export` (createRefitter); without it that route answers 503. */
  readonly refits?: Pick<Refitter, "exportFiles">;
  readonly logger: Logger;
  /** The all-scopes token (HPO_TOKEN): when set, mutating routes need `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** A token that may submit (create, cancel, resume, extend) and read (HPO_SUBMIT_TOKEN); see auth.ts ApiTokens. */
  readonly submitToken?: string;
  /** A token that may only read (HPO_READ_TOKEN); it matters with `protectReads`. */
  readonly readToken?: string;
  /** With a token: reads under `/api` (incl. the dashboard's) need a token with the read scope too. Default false. */
  readonly protectReads?: boolean;
  readonly metrics?: AppMetrics;
  /** Folder of the built dashboard, served at `/` with an index.html fallback. */
  readonly staticDir?: string;
  /** Dashboard routes (`/api/events`, `/api/dashboard/*`, the built app): `createDashboard().router`. */
  readonly dashboard?: RequestHandler;
  /**
   * Checks a submitted sweep's CSV file, when it is in the workers' data directories
   * (HPO_DATA_DIRS) here, before it is stored: `createDatasetChecker`. Default: not checked.
   */
  readonly datasets?: DatasetChecker;
  /**
   * Memory one trial may need (its estimate, @hpo/core `estimateTrialMemory`); a sweep whose
   * largest trial needs more is refused with a 400 naming it. `name` is the setting the message
   * points to. Default: no limit.
   */
  readonly trialMemory?: TrialMemoryLimit;
  /** Largest accepted request body. Default "1mb". */
  readonly bodyLimit?: string;
  /**
   * Largest accepted YAML body. Default "256kb": YAML parsing costs about 4 s of the event loop
   * per MB (a sweep spec is a few KB), so a lower cap keeps one request from stalling the API.
   */
  readonly yamlBodyLimit?: string;
}

/**
 * The coordinator's HTTP app: `GET /healthz`, the REST API under `/api` (docs/openapi.yaml),
 * optionally `/metrics` and the dashboard. Every error is JSON `ApiErrorBody`; bad input (incl.
 * malformed JSON/YAML, oversized bodies) answers 4xx, unknown routes 404.
 */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("query parser", "simple");
  app.use(securityHeaders);
  if (deps.metrics?.http) app.use(deps.metrics.http as RequestHandler);

  app.get("/healthz", async (_req, res) => {
    const ok = await deps.store.ping();
    res
      .status(ok ? 200 : 503)
      .json(ok ? { ok } : { ok, error: { code: "UNAVAILABLE", message: "redis does not answer" } });
  });
  if (deps.metrics?.handler) app.get("/metrics", deps.metrics.handler as RequestHandler);

  const limit = deps.bodyLimit ?? "1mb";
  const api = express.Router();
  api.use(refuseCrossSite);
  const tokens = { token: deps.token, submitToken: deps.submitToken, readToken: deps.readToken };
  api.use(requireToken(tokens));
  api.use(express.json({ limit, strict: false }));
  api.use(express.text({ limit: deps.yamlBodyLimit ?? "256kb", type: YAML_TYPES }));
  api.use(
    "/sweeps",
    sweepsRouter(deps.store, deps.scheduler, {
      ...(deps.datasets && { datasets: deps.datasets }),
      ...(deps.refits && { refits: deps.refits }),
      logger: deps.logger,
      ...(deps.trialMemory && { trialMemory: deps.trialMemory }),
    }),
  );
  api.use(notFound);
  if (deps.protectReads) app.use("/api", requireToken(tokens, { reads: true, ticketPaths: ["/events"] }));
  // the dashboard's EventSource cannot send the token: it shows a short-lived ticket instead
  const key = ticketKey(tokens);
  app.get("/api/events/ticket", (_req, res) => {
    res.json(deps.protectReads && key ? eventTicket(key) : {});
  });
  if (deps.dashboard) app.use(deps.dashboard);
  app.use("/api", api);

  if (deps.staticDir && existsSync(deps.staticDir)) {
    const root = path.resolve(deps.staticDir);
    app.use(express.static(root, { index: "index.html" }));
    app.use((req, res, next) => {
      if (req.method !== "GET" || !req.accepts("html")) return next();
      res.sendFile(path.join(root, "index.html"), (err) => err && next());
    });
  }
  app.use(notFound);
  app.use(errorMiddleware(deps.logger));
  return app;
}
