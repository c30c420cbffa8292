/**
 * Live updates over server-sent events (`GET /api/events`). One shared EventSource; when it drops
 * the browser retries, and when it gives up (server gone, non-200) we reconnect with backoff. The
 * server starts every connection with a `snapshot` of all sweeps, so a reconnect catches up.
 * An EventSource cannot send the API token: when the coordinator protects reads, each connection
 * first asks `GET /api/events/ticket` (with the token) for a short-lived ticket and shows it in
 * the URL; an expired ticket fails the reconnect, and the next connect asks for a new one.
 */
import type { SweepRecord } from "@hpo/core";
import { request } from "./client.ts";
import { toSweepSummary } from "./convert.ts";
import { onTokenChange } from "./token.ts";
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

/** `/api/events`, with a ticket when the coordinator hands one out (reads protected). */
async function eventsUrl(): Promise<string> {
  try {
    const { ticket } = await request<{ ticket?: string }>("/api/events/ticket");
    return ticket ? `/api/events?ticket=${encodeURIComponent(ticket)}` : "/api/events";
  } catch {
    return "/api/events"; // no token yet, or an older coordinator: the stream says what is wrong
  }
}

let connecting = 0;
async function connect(): Promise<void> {
  const attempt = ++connecting;
  source?.close();
  const url = await eventsUrl();
  if (attempt !== connecting) return; // a newer connect started meanwhile
  const es = new EventSource(url);
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
      retryTimer = setTimeout(() => void connect(), retryMs);
      retryMs = Math.min(retryMs * 2, 10_000);
    } else {
      setStatus("reconnecting");
    }
  });
}

/** Subscribes to live updates; returns the unsubscribe function. */
export function subscribe(h: LiveHandlers): () => void {
  handlers.add(h);
  if (!source && connecting === 0) void connect();
  else if (lastSnapshot && h.snapshot) h.snapshot(lastSnapshot);
  return () => handlers.delete(h);
}

export function onLiveStatus(fn: (s: LiveStatus) => void): () => void {
  statusListeners.add(fn);
  fn(status);
  return () => statusListeners.delete(fn);
}

// a new token may open (or close) the stream: reconnect with it
onTokenChange(() => {
  if (connecting > 0) {
    clearTimeout(retryTimer);
    void connect();
  }
});
