import { checkSweepMemory, datasetShapeOf, HpoError } from "@hpo/core";
import type { Store } from "@hpo/store";
import { type Request, type Response, Router } from "express";
import type { Logger } from "pino";
import type { DatasetChecker } from "./dataset-check.ts";
import { extendBody } from "./extend-body.ts";
import { pageQuery, trialQuery } from "./query.ts";
import type { Refitter } from "./refits.ts";
import type { Scheduler } from "./scheduler.ts";
import { sweepSpecOf } from "./sweep-body.ts";
import { sweepIdParam } from "./sweep-id-param.ts";
import { trialStatsView } from "./trial-stats.ts";

/** Handlers return data (or throw HpoError); `send` formats it. */
type Handler = (req: Request) => Promise<unknown>;

const send =
  (fn: Handler, status = 200) =>
  async (req: Request, res: Response) => {
    res.status(status).json(await fn(req));
  };

const TRIAL_ID = /^t\d{4,9}$/;

/** What the routes need of the scheduler; resume/extend answer 503 without them (test doubles). */
export type RouterScheduler = Pick<Scheduler, "kick" | "cancel"> & Partial<Pick<Scheduler, "resume" | "extend">>;

/** Memory a trial may need, in bytes, and the setting that sets it (named in refusals). */
export interface TrialMemoryLimit {
  readonly bytes: number;
  readonly name: string;
}

/** Options of `sweepsRouter`. */
export interface SweepsRouterOptions {
  /** Checks a submitted sweep's CSV file before it is stored (createDatasetChecker). Default: not checked. */
  readonly datasets?: DatasetChecker;
  readonly logger: Logger;
  /** When set, creating a sweep whose largest trial needs more memory answers 400 (checkSweepMemory). */
  readonly trialMemory?: TrialMemoryLimit;
  /** Refits for `POST /:id/export`; without it that route answers 503. */
  readonly refits?: Pick<Refitter, "exportFiles">;
}

/** Routes under /api/sweeps (see docs/openapi.yaml). */
export function sweepsRouter(store: Store, scheduler: RouterScheduler, options: SweepsRouterOptions): Router {
  const router = Router();
  router.param("id", sweepIdParam);
  const sweepOr404 = async (id: string) => {
    const sweep = await store.getSweep(id);
    if (!sweep) throw new HpoError("NOT_FOUND", `sweep "${id}" not found`);
    return sweep;
  };
  /** The trial `:trialId` of sweep `:id` in the request's path, or a 404 naming both. */
  const trialOr404 = async (req: Request) => {
    const id = String(req.params.id);
    const trialId = String(req.params.trialId);
    const trial = TRIAL_ID.test(trialId) ? await store.getTrial(id, trialId) : undefined;
    if (!trial) throw new HpoError("NOT_FOUND", `trial "${trialId}" of sweep "${id}" not found`);
    return trial;
  };

  router.post(
    "/",
    send(async (req) => {
      const { spec, warnings } = sweepSpecOf(req);
      const data = await options.datasets?.check(spec);
      // a checked CSV file gives the estimate its rows, encoded input width and outputs
      if (options.trialMemory)
        checkSweepMemory(
          spec,
          options.trialMemory.bytes,
          options.trialMemory.name,
          data?.shape ?? datasetShapeOf(spec.dataset),
        );
      const sweep = await store.createSweep(spec);
      if (data) options.logger.info({ sweepId: sweep.id, dataset: data }, "sweep dataset checked");
      scheduler.kick(sweep.id);
      return warnings.length > 0 ? { ...sweep, warnings } : sweep;
    }, 201),
  );

  router.get(
    "/",
    send(async (req) => {
      const { offset, limit } = pageQuery(req.query);
      return store.listSweeps(offset, limit);
    }),
  );

  router.get(
    "/:id",
    send(async (req) => {
      const sweep = await sweepOr404(String(req.params.id));
      return (await trialStatsView(store, sweep)).sweep(sweep);
    }),
  );

  router.get(
    "/:id/trials",
    send(async (req) => {
      const id = String(req.params.id);
      const page = pageQuery(req.query);
      const filter = trialQuery(req.query);
      // both reads in one round trip: an unknown sweep still answers 404
      const [sweep, trials] = await Promise.all([sweepOr404(id), store.listTrials(id, { ...page, ...filter })]);
      const stats = await trialStatsView(store, sweep);
      return { ...trials, items: trials.items.map((t) => stats.trial(t)) };
    }),
  );

  router.get(
    "/:id/trials/:trialId",
    send(async (req) => {
      const trial = await trialOr404(req);
      const sweep = await sweepOr404(trial.sweepId);
      return (await trialStatsView(store, sweep)).trial(trial);
    }),
  );

  router.get(
    "/:id/trials/:trialId/log",
    send(async (req) => {
      const trial = await trialOr404(req);
      return { lines: await store.getTrialLog(trial.sweepId, trial.id) };
    }),
  );

  router.post(
    "/:id/cancel",
    send((req) => scheduler.cancel(String(req.params.id))),
  );

  router.post(
    "/:id/resume",
    send(async (req) => {
      if (!scheduler.resume) throw new HpoError("UNAVAILABLE", "resume sweep: this coordinator has no scheduler");
      return scheduler.resume(String(req.params.id));
    }),
  );

  router.post(
    "/:id/export",
    send(async (req) => {
      const id = String(req.params.id);
      if (!options.refits) throw new HpoError("UNAVAILABLE", `export sweep "${id}": this coordinator does not refit`);
      const trial = (req.body as { trial?: unknown } | undefined)?.trial;
      if (trial !== undefined && (typeof trial !== "string" || !TRIAL_ID.test(trial)))
        throw new HpoError(
          "INVALID_REQUEST",
          `export sweep "${id}": trial must be a trial id like "t0003", got ${JSON.stringify(trial)}`,
        );
      return options.refits.exportFiles(id, trial);
    }),
  );

  router.post(
    "/:id/extend",
    send(async (req) => {
      if (!scheduler.extend) throw new HpoError("UNAVAILABLE", "extend sweep: this coordinator has no scheduler");
      return scheduler.extend(String(req.params.id), extendBody(String(req.params.id), req.body));
    }),
  );

  return router;
}
