/** Test support of @hpo/coordinator (`@hpo/coordinator/testing`): for tests only. */
export { type DashboardTestServer, serveDashboard } from "./dashboard-test-server.ts";
