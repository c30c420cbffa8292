/**
 * Test fixture: the dashboard's router over a given store, served by express on 127.0.0.1 at an
 * ephemeral port, with the coordinator's error mapping (NOT_FOUND 404, INVALID_REQUEST 400).
 * For tests only (`@hpo/coordinator/testing`).
 */
import type { AddressInfo } from "node:net";
import type { Store } from "@hpo/store";
import express from "express";
import { createDashboard, type Dashboard, type DashboardOptions } from "../dashboard/dashboard-router.ts";

export interface DashboardTestServer {
  readonly dashboard: Dashboard;
  /** `http://127.0.0.1:<port>` */
  readonly base: string;
  /** Closes the HTTP server (open connections too) and the dashboard; the store stays open. */
  close(): Promise<void>;
}

type ErrorBody = { status?: number; code?: string; message: string };

/** Starts the dashboard for `store` with `options` (the Redis URL included, if the test wants the scan thread). */
export async function serveDashboard(
  store: Store,
  options: Omit<DashboardOptions, "store"> = {},
): Promise<DashboardTestServer> {
  const dashboard = createDashboard({ store, ...options });
  const app = express();
  app.use(dashboard.router);
  app.use((err: ErrorBody, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res
      .status(err.code === "NOT_FOUND" ? 404 : err.code === "INVALID_REQUEST" ? 400 : 500)
      .json({ error: { code: err.code, message: err.message } });
  });
  const server = app.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  return {
    dashboard,
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await dashboard.close();
    },
  };
}
