/**
 * An in-process coordinator app (createApp + real scheduler + store) for the security and fuzz
 * suites, with every log line captured so tests can check what was (not) logged.
 */

import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createApp, createCoreProposer, createDashboard, createScheduler, type Scheduler } from "@hpo/coordinator";
import { createHttpMetricsMiddleware, createMetricsHandler, createMetricsRegistry } from "@hpo/metrics";
import { createStore, deleteKeysUnder, type Store } from "@hpo/store";
import { uniquePrefix } from "@hpo/store/testing";
import { Redis } from "ioredis";
import { pino } from "pino";
import { REDIS_URL } from "../helpers/processes.ts";

export interface AppStack {
  readonly url: string;
  readonly store: Store;
  readonly scheduler: Scheduler;
  /** Every log line (JSON) of the app and scheduler so far. */
  readonly logLines: string[];
  close(): Promise<void>;
}

export async function startAppStack(opts: {
  readonly label: string;
  readonly token?: string;
  /** HPO_SUBMIT_TOKEN and HPO_READ_TOKEN (auth.ts ApiTokens). */
  readonly submitToken?: string;
  readonly readToken?: string;
  readonly protectReads?: boolean;
  readonly bodyLimit?: string;
  /** Mount the dashboard's routes (`/api/events`, `/api/dashboard/*`) as main.ts does. Default false. */
  readonly dashboard?: boolean;
  /** Record HTTP metrics and serve them on `/metrics` (a coordinator-role registry). Default false. */
  readonly metrics?: boolean;
}): Promise<AppStack> {
  const prefix = uniquePrefix(opts.label);
  const logLines: string[] = [];
  const logger = pino({ level: "debug" }, { write: (s: string) => void logLines.push(s) });
  const redis = new Redis(REDIS_URL);
  const store = createStore({ redis, prefix });
  const scheduler = createScheduler({
    store,
    redisUrl: REDIS_URL,
    prefix,
    logger,
    propose: createCoreProposer(),
    mode: "noop",
    tickMs: 60_000,
  });
  await scheduler.start();
  const registry = opts.metrics ? createMetricsRegistry({ role: "coordinator", process: "coordinator" }) : undefined;
  const dashboard = opts.dashboard ? createDashboard({ store, redisUrl: REDIS_URL }) : undefined;
  const app = createApp({
    store,
    scheduler,
    logger,
    ...(opts.token && { token: opts.token }),
    ...(opts.submitToken && { submitToken: opts.submitToken }),
    ...(opts.readToken && { readToken: opts.readToken }),
    ...(opts.protectReads && { protectReads: true }),
    ...(opts.bodyLimit && { bodyLimit: opts.bodyLimit }),
    ...(dashboard && { dashboard: dashboard.router }),
    ...(registry && {
      metrics: { http: createHttpMetricsMiddleware(registry), handler: createMetricsHandler(registry) },
    }),
  });
  const server: Server = app.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    store,
    scheduler,
    logLines,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await dashboard?.close();
      await scheduler.close();
      await store.close();
      await deleteKeysUnder(redis, prefix);
      await redis.quit();
    },
  };
}
