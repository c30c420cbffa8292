import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  createApp,
  createCoreProposer,
  createLogger,
  createScheduler,
  type Scheduler,
  type TrialMode,
} from "@hpo/coordinator";
import { createStore, type Store } from "@hpo/store";
import { REDIS_URL } from "./processes.ts";

export interface InProcessCoordinator {
  readonly url: string;
  readonly store: Store;
  readonly scheduler: Scheduler;
  /** Closes the HTTP server, the scheduler and the store. */
  close(): Promise<void>;
}

/** A coordinator (createApp + scheduler) in this process, listening on an ephemeral port. */
export async function startCoordinator(opts: {
  prefix: string;
  mode?: TrialMode;
  tickMs?: number;
  token?: string;
}): Promise<InProcessCoordinator> {
  const logger = createLogger("coordinator", process.env.TEST_LOG_LEVEL ?? "warn");
  const store = createStore({ url: REDIS_URL, prefix: opts.prefix });
  const scheduler = createScheduler({
    store,
    redisUrl: REDIS_URL,
    prefix: opts.prefix,
    logger,
    propose: createCoreProposer(),
    mode: opts.mode ?? "tfjs",
    tickMs: opts.tickMs ?? 500,
  });
  await scheduler.start();
  const app = createApp({ store, scheduler, logger, ...(opts.token && { token: opts.token }) });
  const server: Server = app.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    store,
    scheduler,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await scheduler.close();
      await store.close();
    },
  };
}
