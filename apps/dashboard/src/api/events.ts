/**
 * Live updates over server-sent events (`GET /api/events`). One shared EventSource; when it drops
 * the browser retries, and when it gives up (server gone, non-200) we reconnect with backoff. The
 * server starts every connection with a `snapshot` of all sweeps, so a reconnect catches up.
 */
import type { SweepRecord } from "@hpo/core";
import { toSweepSummary } from "./convert.ts";
import type { SweepSummary } from "./types.ts";

export type LiveStatus = "connecting" | "live" | "reconnecting";

export interface LiveHandlers {
  /** Every sweep, on (re)connect. */
  readonly snapshot?: (sweeps: readonly SweepSummary[]) => void;
  /** A sweep whose counts, status or best changed. */
  readonly sweep?: (sweep: SweepSummary) => void;
}

const handlers = new Set<LiveHandlers>();
const statusListeners = new Set<(s: LiveStatus) => void>();
let source: EventSource | null = null;
let status: LiveStatus = "connecting";
let retryMs = 500;
let retryTimer: ReturnType<typeof setTimeout> | undefined;
let lastSnapshot: readonly SweepSummary[] | null = null;

function setStatus(s: LiveStatus): void {
  status = s;
  for (const fn of statusListeners) fn(s);
}

function connect(): void {
  source?.close();
  const es = new EventSource("/api/events");
  source = es;
  es.addEventListener("open", () => {
    retryMs = 500;
    setStatus("live");
  });
  es.addEventListener("snapshot", (e) => {
    const data = JSON.parse((e as MessageEvent<string>).data) as { sweeps: SweepRecord[] };
    const sweeps = data.sweeps.map((s) => toSweepSummary(s));
    lastSnapshot = sweeps;
    for (const h of handlers) h.snapshot?.(sweeps);
  });
  es.addEventListener("sweep", (e) => {
    const s = toSweepSummary(JSON.parse((e as MessageEvent<string>).data) as SweepRecord);
    for (const h of handlers) h.sweep?.(s);
  });
  es.addEventListener("error", () => {
    if (es.readyState === EventSource.CLOSED) {
      setStatus("reconnecting");
      clearTimeout(retryTimer);
      retryTimer = setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 10_000);
    } else {
      setStatus("reconnecting");
    }
  });
}

/** Subscribes to live updates; returns the unsubscribe function. */
export function subscribe(h: LiveHandlers): () => void {
  handlers.add(h);
  if (!source) connect();
  else if (lastSnapshot && h.snapshot) h.snapshot(lastSnapshot);
  return () => handlers.delete(h);
}

export function onLiveStatus(fn: (s: LiveStatus) => void): () => void {
  statusListeners.add(fn);
  fn(status);
  return () => statusListeners.delete(fn);
}
