/**
 * Server side of the dashboard, mounted by `createApp` before the REST API:
 *
 * - `GET /api/events` — server-sent events (`snapshot` on connect, then `sweep` on change);
 * - `GET /api/dashboard/sweeps/:id/leaderboard?offset&limit&sort&dir&state&flag&filter` — any
 *   column, any direction, filters; `Page<TrialRecord>` plus `unfiltered`;
 * - `GET /api/dashboard/sweeps/:id/history?points` — downsampled optimization history;
 * - `GET /api/dashboard/sweeps/:id/sample?limit` — best trials plus an even spread (plots);
 * - `GET /api/dashboard/sweeps/:id/importance` — PED-ANOVA, computed in a worker thread;
 * - `GET /api/dashboard/fleet` — workers, queue depth, throughput;
 * - the built app at `/` (see static-dashboard.ts).
 *
 * Trials of the sweeps being viewed are held in memory (a few sweep tables, least recently used
 * evicted) and kept up to date incrementally; see sweep-table.ts.
 */
import { performance } from "node:perf_hooks";
import { type Goal, HpoError, type SweepRecord } from "@hpo/core";
import { createPackedTrialScan, createRedis, type Store } from "@hpo/store";
import { type NextFunction, type Request, type Response, Router } from "express";
import { sweepIdParam } from "../sweep-id-param.ts";
import { trialStatsView } from "../trial-stats.ts";
import { createScanThread, inlineChunks } from "./chunk-source.ts";
import { createEventHub, type EventHub } from "./event-hub.ts";
import { createFleetSource } from "./fleet.ts";
import { history } from "./history.ts";
import { createImportanceService } from "./importance/importance-service.ts";
import {
  evaluate,
  type LeaderboardQuery,
  type LeaderboardResult,
  parseLeaderboardQuery,
  storeCanAnswer,
} from "./leaderboard-query.ts";
import { staticDashboard } from "./static-dashboard.ts";
import { storeScan } from "./store-scan.ts";
import { createSweepTable, type SweepTable } from "./sweep-table.ts";
import { trialSample } from "./trial-sample.ts";

export interface DashboardOptions {
  readonly store: Store;
  /** Folder of the built dashboard (apps/dashboard/dist). Without it, no static serving. */
  readonly staticDir?: string;
  /** Redis URL for the queue counts and workers of the Fleet view; without it those stay empty. */
  readonly redisUrl?: string;
  /** Sweep tables kept in memory. Default 6. */
  readonly maxTables?: number;
  /** Event poll period with listeners. Default 1000 ms. */
  readonly eventIntervalMs?: number;
  /**
   * While a sweep's table is still loading, a leaderboard query that the store cannot answer
   * waits this long for the load, then is answered from the trials loaded so far (marked
   * `loading`). Default 60 ms.
   */
  readonly partialAfterMs?: number;
}

export interface Dashboard {
  readonly router: Router;
  readonly events: EventHub;
  /** Resolves true once bulk loads run in the scan thread (false: on the main thread). Tests, benchmarks. */
  scanThreadReady(): Promise<boolean>;
  /** Stops the poller, the importance and scan threads and the fleet's queue connection; ends SSE streams. */
  close(): Promise<void>;
}

type Handler = (req: Request, res: Response) => Promise<unknown>;
const send = (fn: Handler) => (req: Request, res: Response, next: NextFunction) => {
  fn(req, res).then((body) => res.json(body), next);
};

/** How often a query is re-evaluated over a sweep that is still loading. */
const PARTIAL_EVERY_MS = 400;

const intQ = (v: unknown, fallback: number, min: number, max: number): number => {
  if (v === undefined || v === "") return fallback;
  const n = typeof v === "string" && /^\d+$/.test(v) ? Number(v) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new HpoError(
      "INVALID_REQUEST",
      `dashboard: query parameter must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`,
    );
  }
  return n;
};

export function createDashboard(o: DashboardOptions): Dashboard {
  const { store } = o;
  const tables = new Map<string, SweepTable>();
  const warmed = new WeakSet<SweepTable>();
  const results = new Map<string, Promise<LeaderboardResult>>();
  /** The last answer per query from a sweep still loading (key without the table version). */
  const partials = new Map<string, { readonly r: LeaderboardResult; readonly at: number }>();
  const events = createEventHub({ store, intervalMs: o.eventIntervalMs });
  const importance = createImportanceService();
  const fleet = createFleetSource(store, o.redisUrl);
  // The leaderboard reads trials in bulk on its own connection (the store's serves the API).
  const scanRedis = o.redisUrl ? createRedis(o.redisUrl, { lazyConnect: true }) : undefined;
  scanRedis?.on("error", () => {});
  const scan = scanRedis ? createPackedTrialScan(scanRedis, store.prefix) : storeScan(store);
  // bulk loads are read and decoded in a thread: the API stays responsive during a big load
  const chunks = o.redisUrl
    ? createScanThread({ redisUrl: o.redisUrl, prefix: store.prefix, fallback: scan })
    : inlineChunks(scan);
  chunks.start?.(); // the thread takes a moment to start: not when the first big sweep is opened
  const maxTables = o.maxTables ?? 6;
  const partialAfterMs = o.partialAfterMs ?? 60;

  const sweepOr404 = async (id: string): Promise<SweepRecord> => {
    const sweep = await store.getSweep(id);
    if (!sweep) throw new HpoError("NOT_FOUND", `sweep "${id}" not found`);
    return sweep;
  };

  const tableOf = (sweep: SweepRecord): SweepTable => {
    const id = sweep.id;
    let t = tables.get(id);
    if (t)
      tables.delete(id); // re-insert: most recently used last
    else t = createSweepTable(scan, sweep, chunks);
    tables.set(id, t);
    while (tables.size > maxTables) tables.delete(tables.keys().next().value as string);
    return t;
  };

  /** A table in step with the store. */
  const synced = async (sweep: SweepRecord): Promise<SweepTable> => {
    const t = tableOf(sweep);
    const before = t.version;
    await t.sync(sweep);
    // a finished sweep no longer changes: index every column once, re-sorts become passes
    if (sweep.status !== "running" && (t.version !== before || !warmed.has(t))) {
      warmed.add(t);
      t.warm(sweep.spec.metric.goal);
    }
    return t;
  };

  /**
   * `synced`, then an event-loop turn of its own: when a big load ends, the requests that waited
   * for it (leaderboard, history, sample, importance) each compute in their own turn, not in one
   * long run of promise continuations that would hold the event loop.
   */
  const syncedTurn = async (sweep: SweepRecord): Promise<SweepTable> => {
    const t = await synced(sweep);
    await ownTurn();
    return t;
  };
  // Each caller resumes in its own event-loop iteration: the next one's setImmediate is queued
  // only when the previous one's has fired (immediates queued during a drain run next time).
  let turns: Promise<void> = Promise.resolve();
  const ownTurn = (): Promise<void> => {
    turns = turns.then(() => new Promise<void>((r) => setImmediate(r)));
    return turns;
  };

  async function leaderboard(req: Request, res: Response) {
    const t0 = performance.now();
    const id = String(req.params.id);
    const q: LeaderboardQuery = parseLeaderboardQuery(req.query);
    const sweep = await sweepOr404(id);
    const table = tableOf(sweep);
    let loading: { readonly loaded: number; readonly of: number } | undefined;
    if (!table.loaded) {
      // Cold sweep: start loading it now (in the background, a page per event-loop turn) and
      // answer at once: the default orders from the store's own indexes, exactly; any other
      // query from the trials loaded so far, marked `loading` (the browser asks again).
      const load = synced(sweep).catch(() => undefined);
      if (storeCanAnswer(q)) {
        const page = await store.listTrials(id, {
          sort: q.sort === "index" ? "index" : "score",
          offset: q.offset,
          limit: q.limit,
          ...(q.states[0] && { state: q.states[0] }),
        });
        const stats = await trialStatsView(store, sweep);
        const items = page.items.map((t) => stats.trial(t));
        return { items, total: page.total, offset: q.offset, limit: q.limit, unfiltered: sweep.proposed };
      }
      // a small sweep loads within the wait; an empty partial answer is no answer
      await Promise.race([load, new Promise((r) => setTimeout(r, partialAfterMs))]);
      while (table.count === 0 && !table.loaded) await Promise.race([load, table.stored()]);
      if (!table.loaded) loading = { loaded: table.count, of: sweep.proposed };
    } else await syncedTurn(sweep);
    const t1 = performance.now();
    const queryKey = `${id}|${q.sort}|${q.dir}|${q.states.join(",")}|${q.flag ?? ""}|${q.filter ?? ""}`;
    const key = `${table.version}|${queryKey}`;
    let r: LeaderboardResult | undefined;
    if (!results.has(key) && loading) {
      // while loading, the table changes every few ms: re-sort what is loaded at most every
      // PARTIAL_EVERY_MS, so that the browser's polling does not keep the event loop busy
      const p = partials.get(queryKey);
      if (p && performance.now() - p.at < PARTIAL_EVERY_MS) r = p.r;
      else {
        r = await evaluate(table, q, sweep.spec.metric.goal);
        partials.set(queryKey, { r, at: performance.now() });
        while (partials.size > 16) partials.delete(partials.keys().next().value as string);
      }
      loading = { loaded: r.unfiltered, of: loading.of };
    }
    if (!r) {
      // the same query asked again while it is evaluated shares the evaluation
      let pending = results.get(key);
      if (!pending) {
        pending = evaluate(table, q, sweep.spec.metric.goal);
        results.set(key, pending);
        pending.catch(() => results.delete(key));
        partials.delete(queryKey);
        while (results.size > 16) results.delete(results.keys().next().value as string);
      }
      r = await pending;
    }
    const stats = await trialStatsView(store, sweep);
    const items = Array.from(r.order.subarray(q.offset, q.offset + q.limit), (i) => stats.trial(table.row(i)));
    const t2 = performance.now();
    // how long the table sync and the sort took (shown by the browser's devtools and the bench)
    res.setHeader("server-timing", `sync;dur=${(t1 - t0).toFixed(1)}, sort;dur=${(t2 - t1).toFixed(1)}`);
    return {
      items,
      total: r.order.length,
      offset: q.offset,
      limit: q.limit,
      unfiltered: r.unfiltered,
      ...(loading && { loading }),
    };
  }

  /** The requested sweep's table, in step with the store, and its goal (404 when no such sweep). */
  const tableFor = async (req: Request): Promise<{ readonly t: SweepTable; readonly goal: Goal }> => {
    const sweep = await sweepOr404(String(req.params.id));
    return { t: await syncedTurn(sweep), goal: sweep.spec.metric.goal };
  };

  const router = Router();
  router.param("id", sweepIdParam);
  router.get("/api/events", (req, res) => events.handle(req, res));
  router.get("/api/dashboard/sweeps/:id/leaderboard", send(leaderboard));
  /** GET `path`: `query` reads the request's query (400 on bad input, before the 404 of a missing sweep), `read` answers from the sweep's table. */
  const tableRoute = <Q>(
    path: string,
    query: (req: Request) => Q,
    read: (t: SweepTable, goal: Goal, q: Q) => unknown,
  ) =>
    router.get(
      path,
      send(async (req) => {
        const q = query(req);
        const { t, goal } = await tableFor(req);
        return read(t, goal, q);
      }),
    );
  tableRoute("/api/dashboard/sweeps/:id/history", (req) => intQ(req.query.points, 600, 10, 20_000), history);
  tableRoute("/api/dashboard/sweeps/:id/sample", (req) => intQ(req.query.limit, 1500, 10, 20_000), trialSample);
  tableRoute(
    "/api/dashboard/sweeps/:id/importance",
    () => undefined,
    (t, goal) => importance.get(t, goal),
  );
  router.get(
    "/api/dashboard/fleet",
    send(() => fleet.read(events.finishedSeries)),
  );
  if (o.staticDir) router.use(staticDashboard(o.staticDir));

  return {
    router,
    events,
    scanThreadReady: () => chunks.whenReady?.() ?? Promise.resolve(false),
    async close() {
      events.close();
      await Promise.all([
        importance.close(),
        fleet.close(),
        chunks.close(),
        scanRedis?.quit().catch(() => scanRedis.disconnect()),
      ]);
    },
  };
}
