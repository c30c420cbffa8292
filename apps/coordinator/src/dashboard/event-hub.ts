/**
 * Live updates for the dashboard over server-sent events. One poller reads the newest sweeps from
 * the store (every `intervalMs` while someone listens, every `idleIntervalMs` otherwise) and
 * broadcasts a `sweep` event for each sweep whose status, counts or best changed. Every
 * connection starts with a `snapshot` of the sweeps, so a client that reconnects catches up.
 * The poller also records finished-trial totals over time (throughput for the Fleet view).
 */
import { FINAL_TRIAL_STATES, finishedTrialsOf, type SweepRecord } from "@hpo/core";
import type { Store } from "@hpo/store";
import type { Request, Response } from "express";

export interface EventHubOptions {
  readonly store: Store;
  /** Poll period with listeners. Default 1000 ms. */
  readonly intervalMs?: number;
  /** Poll period without listeners. Default 5000 ms. */
  readonly idleIntervalMs?: number;
  /** Sweeps watched (newest first). Default 200. */
  readonly watch?: number;
  /** Comment line sent to keep proxies from closing idle streams. Default every 15 s. */
  readonly heartbeatMs?: number;
}

export interface EventHub {
  /** Express handler for `GET /api/events`. */
  handle(req: Request, res: Response): void;
  /** [time ms, finished trials in watched sweeps] samples of the last hour. */
  readonly finishedSeries: readonly (readonly [number, number])[];
  /** Number of connected clients. */
  readonly clients: number;
  close(): void;
}

const sigOf = (s: SweepRecord) =>
  `${s.status}|${s.proposed}|${FINAL_TRIAL_STATES.map((k) => s.counts[k]).join(",")},${s.counts.running},${s.counts.queued}|${s.best?.trialId ?? ""}|${s.finishedAt ?? ""}`;

export function createEventHub(o: EventHubOptions): EventHub {
  const clients = new Set<Response>();
  const sigs = new Map<string, string>();
  const series: [number, number][] = [];
  let seq = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  let polling = false;
  let primed = false;
  const interval = o.intervalMs ?? 1000;
  const idle = o.idleIntervalMs ?? 5000;
  const watch = o.watch ?? 200;

  const write = (res: Response, event: string, data: unknown) => {
    res.write(`id: ${++seq}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };

  async function poll(): Promise<void> {
    if (polling) return;
    polling = true;
    try {
      const page = await o.store.listSweeps(0, watch);
      let finished = 0;
      for (const s of page.items) {
        finished += finishedTrialsOf(s.counts);
        const sig = sigOf(s);
        if (sigs.get(s.id) === sig) continue;
        sigs.set(s.id, sig);
        if (primed) for (const c of clients) write(c, "sweep", s);
      }
      primed = true;
      const now = Date.now();
      series.push([now, finished]);
      while (series.length > 0 && (series[0] as [number, number])[0] < now - 3_600_000) series.shift();
    } catch {
      // Redis hiccup: the next poll tries again; clients keep their stream
    } finally {
      polling = false;
    }
  }

  function schedule(): void {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(
      async () => {
        await poll();
        schedule();
      },
      clients.size > 0 ? interval : idle,
    );
    timer.unref?.();
  }

  void poll().then(schedule);

  return {
    handle(req, res) {
      res.status(200);
      res.setHeader("content-type", "text/event-stream; charset=utf-8");
      res.setHeader("cache-control", "no-cache, no-transform");
      res.setHeader("connection", "keep-alive");
      res.setHeader("x-accel-buffering", "no");
      res.flushHeaders();
      res.write("retry: 2000\n\n");
      clients.add(res);
      const beat = setInterval(() => res.write(": keep-alive\n\n"), o.heartbeatMs ?? 15_000);
      const bye = () => {
        clearInterval(beat);
        clients.delete(res);
      };
      req.on("close", bye);
      res.on("error", bye);
      o.store
        .listSweeps(0, watch)
        .then((page) => {
          if (clients.has(res)) write(res, "snapshot", { sweeps: page.items });
        })
        .catch(() => {
          if (clients.has(res)) write(res, "snapshot", { sweeps: [] });
        });
      schedule(); // switch to the fast period now
    },
    get finishedSeries() {
      return series;
    },
    get clients() {
      return clients.size;
    },
    close() {
      closed = true;
      clearTimeout(timer);
      for (const c of clients) c.end();
      clients.clear();
    },
  };
}
