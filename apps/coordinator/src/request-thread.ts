/**
 * The coordinator's one protocol for work done in a worker thread (the dashboard's bulk scans and
 * parameter importance): requests with an id, one reply each, and a fallback on the main thread.
 *
 *   parent → thread  { id, req }
 *   thread → parent  { id: 0 } once the thread has loaded its modules (ready)
 *                    { id, res } or { id, error } per request
 *
 * The thread module calls `serveRequests(handle)`; the parent makes a `createRequestThread`. The
 * thread starts lazily (or on `start()`); until it is ready, requests run `inline` on the main
 * thread. When it cannot start or dies, pending and later requests run inline too.
 */
import { parentPort, type ResourceLimits, type Transferable, type Worker } from "node:worker_threads";
import { startModuleThread } from "@hpo/core";

type Reply<Res> = { readonly id: number; readonly res?: Res; readonly error?: string };

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
  let broken = false;
  /** Set when the thread has loaded its modules; until then requests run inline (a cold start takes seconds on a busy machine). */
  let ready = false;
  let readyWaiters: ((threaded: boolean) => void)[] = [];
  const settleReady = (threaded: boolean) => {
    const waiting = readyWaiters;
    readyWaiters = [];
    for (const f of waiting) f(threaded);
  };
  let seq = 0;
  const pending = new Map<number, { req: Req; resolve: (r: Res) => void; reject: (e: Error) => void }>();

  const failAll = () => {
    broken = true;
    worker = null;
    settleReady(false);
    for (const [id, p] of pending) {
      pending.delete(id);
      void o.inline(p.req).then(p.resolve, p.reject);
    }
  };

  const ensure = (): Worker | null => {
    if (worker || broken) return worker;
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
    w.on("message", (m: Reply<Res>) => {
      if (m.id === 0) {
        ready = true;
        settleReady(true);
        return;
      }
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (m.error === undefined) p.resolve(m.res as Res);
      else p.reject(new Error(m.error));
    });
    w.on("error", failAll);
    w.on("exit", () => {
      if (worker === w) {
        worker = null;
        ready = false;
      }
      if (pending.size > 0) failAll();
    });
    worker = w;
    return w;
  };

  return {
    start: () => void ensure(),
    whenReady: () =>
      ready || broken ? Promise.resolve(ready && !broken) : new Promise<boolean>((r) => readyWaiters.push(r)),
    request(req) {
      const w = ensure();
      if (!w || !ready) return o.inline(req);
      const id = ++seq;
      return new Promise((resolve, reject) => {
        pending.set(id, { req, resolve, reject });
        w.postMessage({ id, req });
      });
    },
    async close() {
      const w = worker;
      worker = null;
      broken = true;
      settleReady(false);
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
  port.on("message", ({ id, req }: { readonly id: number; readonly req: Req }) => {
    Promise.resolve()
      .then(() => handle(req))
      .then(
        (res) => port.postMessage({ id, res }, [...transfer(res)]),
        (e: unknown) => port.postMessage({ id, error: e instanceof Error ? e.message : String(e) }),
      );
  });
  port.postMessage({ id: 0 });
}
