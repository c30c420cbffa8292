/**
 * Work the coordinator does in a worker thread (the dashboard's bulk scans, parameter importance,
 * the dataset check at submit, refits), with a fallback on the main thread. Requests and replies
 * travel on a core `Channel` (packages/core/src/thread-channel.ts); the thread sends the note
 * "ready" once it has loaded its modules.
 *
 * The thread module calls `serveRequests(handle)`; the parent makes a `createRequestThread`. The
 * thread starts lazily (or on `start()`); until it is ready, requests run `inline` on the main
 * thread. When it cannot start or dies, pending and later requests run inline too.
 */
import { parentPort, type ResourceLimits, type Transferable, type Worker } from "node:worker_threads";
import { type Channel, ChannelClosedError, openChannel, startModuleThread } from "@hpo/core";

export interface RequestThreadOptions<Req, Res> {
  /** The caller's `import.meta.url`: the thread's module is its sibling (see `siblingModule`). */
  readonly callerUrl: string;
  /** The thread's module, without extension (e.g. "scan-thread"); it calls `serveRequests`. A
   *  build must make it an entry point of its own (tools/build.mjs). */
  readonly name: string;
  /** Given to the thread as `workerData`. */
  readonly workerData?: unknown;
  readonly resourceLimits?: ResourceLimits;
  /** Does a request on the main thread: before the thread is ready, or when it cannot run. */
  readonly inline: (req: Req) => Promise<Res>;
}

export interface RequestThread<Req, Res> {
  /** The thread's reply; rejects with the thread's error message when its handler threw. */
  request(req: Req): Promise<Res>;
  /** Starts the thread now rather than at the first request. */
  start(): void;
  /** Resolves true once requests go to the thread, false when they run on the main thread for good. */
  whenReady(): Promise<boolean>;
  /** Terminates the thread; later requests run inline. */
  close(): Promise<void>;
}

export function createRequestThread<Req, Res>(o: RequestThreadOptions<Req, Res>): RequestThread<Req, Res> {
  let worker: Worker | null = null;
  let channel: Channel<Req, Res, never> | null = null;
  let broken = false;
  /** Set when the thread has loaded its modules; until then requests run inline (a cold start takes seconds on a busy machine). */
  let ready = false;
  let readyWaiters: ((threaded: boolean) => void)[] = [];
  const settleReady = (threaded: boolean) => {
    const waiting = readyWaiters;
    readyWaiters = [];
    for (const f of waiting) f(threaded);
  };

  /** The thread is gone for good: requests in flight (and later ones) run inline. */
  const fail = (cause: Error) => {
    broken = true;
    worker = null;
    ready = false;
    settleReady(false);
    channel?.close(cause);
    channel = null;
  };

  const ensure = (): Channel<Req, Res, never> | null => {
    if (channel || broken) return channel;
    let w: Worker;
    try {
      w = startModuleThread(o.callerUrl, o.name, {
        workerData: o.workerData,
        ...(o.resourceLimits && { resourceLimits: o.resourceLimits }),
      });
    } catch {
      broken = true; // from source without tsx: the work stays on the main thread
      settleReady(false);
      return null;
    }
    w.unref();
    channel = openChannel<Req, Res, never, never, never, "ready">(w, {
      onNote: () => {
        ready = true;
        settleReady(true);
      },
    });
    w.on("error", fail);
    w.on("exit", (code) => {
      if (worker === w) fail(new Error(`the thread exited with code ${code}`));
    });
    worker = w;
    return channel;
  };

  return {
    start: () => void ensure(),
    whenReady: () =>
      ready || broken ? Promise.resolve(ready && !broken) : new Promise<boolean>((r) => readyWaiters.push(r)),
    request(req) {
      const ch = ensure();
      if (!ch || !ready) return o.inline(req);
      return ch.request(req).catch((e: unknown) => {
        if (e instanceof ChannelClosedError) return o.inline(req);
        throw e;
      });
    },
    async close() {
      const w = worker;
      fail(new Error("the thread was closed"));
      if (w) await w.terminate();
    },
  };
}

/**
 * The thread side: answers every request with `handle`'s result (its `transfer` list moved, not
 * copied) or its error message, then tells the parent it is ready. Call once, from the thread's module.
 */
export function serveRequests<Req, Res>(
  handle: (req: Req) => Res | Promise<Res>,
  transfer: (res: Res) => readonly Transferable[] = () => [],
): void {
  const port = parentPort;
  if (!port) throw new Error("serveRequests: not in a worker thread");
  openChannel<never, never, "ready", Req, Res>(port, { onRequest: handle, transfer }).note("ready");
}
