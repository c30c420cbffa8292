/**
 * The Fleet view's data: workers connected to the trials queue (BullMQ client names), what each
 * is running (the store's running trials), queue depth by state, and throughput from the event
 * hub's finished-trial samples. Workers publish a status hash (host, backend, busy, slots,
 * samplesPerSec, updatedAt; @hpo/metrics `startWorkerStatus`, read with `Store.getWorkerStatuses`)
 * that fills the rest, for every worker found through its queue connection or a running trial.
 */
import type { Fleet, WorkerInfo } from "@hpo/core";
import type { Store } from "@hpo/store";
import { createRedis, TRIALS_QUEUE } from "@hpo/store";
import { Queue } from "bullmq";

export interface FleetSource {
  read(finishedSeries: readonly (readonly [number, number])[]): Promise<Fleet>;
  close(): Promise<void>;
}

const JOB_STATES = [
  "waiting",
  "prioritized",
  "delayed",
  "active",
  "waiting-children",
  "paused",
  "completed",
  "failed",
] as const;

/** Trials finished per minute, from cumulative [time, total] samples. */
export function perMinute(
  series: readonly (readonly [number, number])[],
  now: number,
  minutes = 30,
): [number, number][] {
  const out: [number, number][] = [];
  const start = Math.floor(now / 60_000) * 60_000 - (minutes - 1) * 60_000;
  const valueAt = (t: number): number | undefined => {
    let v: number | undefined;
    for (const [ts, n] of series) {
      if (ts > t) break;
      v = n;
    }
    return v;
  };
  for (let m = 0; m < minutes; m++) {
    const from = start + m * 60_000;
    const a = valueAt(from) ?? series.find(([ts]) => ts >= from && ts < from + 60_000)?.[1];
    const b = valueAt(Math.min(from + 60_000, now));
    if (a === undefined || b === undefined) continue;
    out.push([from, Math.max(0, b - a)]);
  }
  return out;
}

export function createFleetSource(store: Store, redisUrl?: string): FleetSource {
  const connection = redisUrl ? createRedis(redisUrl, { maxRetriesPerRequest: null, lazyConnect: true }) : undefined;
  connection?.on("error", () => {});
  const queue = connection ? new Queue(TRIALS_QUEUE, { connection, prefix: store.prefix }) : undefined;
  queue?.on("error", () => {});

  async function runningTrials() {
    const ids = await store.runningSweepIds();
    const pages = await Promise.all(
      ids.map((id) => store.listTrials(id, { state: "running", limit: 1000 }).catch(() => undefined)),
    );
    return pages.flatMap((p) => p?.items ?? []);
  }

  return {
    async read(series) {
      const [running, counts, clients, sweeps] = await Promise.all([
        runningTrials(),
        queue ? queue.getJobCounts(...JOB_STATES).catch(() => ({})) : Promise.resolve({}),
        queue ? queue.getWorkers().catch(() => []) : Promise.resolve([]),
        store.listSweeps(0, 200),
      ]);
      const byWorker = new Map<string, (typeof running)[number]>();
      for (const t of running) if (t.worker) byWorker.set(t.worker, t);
      const names = new Map<string, { host?: string; age?: number }>();
      for (const c of clients as Record<string, string>[]) {
        const raw = c.rawname ?? "";
        const i = raw.indexOf(":w:");
        const name = i >= 0 ? raw.slice(i + 3) : raw || "unnamed";
        names.set(name, { host: c.addr?.replace(/:\d+$/, ""), age: Number(c.age) });
      }
      for (const w of byWorker.keys()) if (!names.has(w)) names.set(w, {});
      const extra = connection ? await store.getWorkerStatuses([...names.keys()]).catch(() => []) : [];
      const now = Date.now();
      const workers: WorkerInfo[] = [...names.entries()].map(([name, info], i) => {
        const t = byWorker.get(name);
        const h = (extra[i] ?? {}) as Record<string, string>;
        const sps = Number(h.samplesPerSec);
        const opt = (v: string | undefined) =>
          v !== undefined && v !== "" && Number.isFinite(Number(v)) ? Number(v) : undefined;
        return {
          name,
          host: h.host || info.host,
          backend: h.backend || undefined,
          busy: !!t || (opt(h.busy) ?? 0) > 0,
          slots: opt(h.slots),
          updatedAt: opt(h.updatedAt),
          currentTrial: t ? `${t.sweepId}/${t.id}` : undefined,
          samplesPerSec: Number.isFinite(sps) && h.samplesPerSec !== undefined ? sps : undefined,
          connectedSec: Number.isFinite(info.age) ? info.age : undefined,
        };
      });
      workers.sort((a, b) => a.name.localeCompare(b.name));
      const trials: Record<string, number> = {};
      let sweepsRunning = 0;
      for (const s of sweeps.items) {
        if (s.status === "running") sweepsRunning++;
        for (const [k, v] of Object.entries(s.counts)) trials[k] = (trials[k] ?? 0) + v;
      }
      const queueCounts: Record<string, number> = {};
      for (const [k, v] of Object.entries(counts as Record<string, number>))
        queueCounts[k === "wait" ? "waiting" : k] = v;
      const recent = perMinute(series, now);
      const last5 = recent.filter(([t]) => t >= now - 5 * 60_000);
      const rate = last5.length ? last5.reduce((a, [, v]) => a + v, 0) / last5.length : 0;
      return {
        workers,
        queue: queueCounts,
        trials,
        recent,
        throughput: [
          { label: "workers", value: workers.length, unit: "" },
          { label: "busy workers", value: workers.filter((w) => w.busy).length, unit: "" },
          { label: "trials finished (5 min avg)", value: rate, unit: "/min" },
          { label: "running trials", value: trials.running ?? 0, unit: "" },
          {
            label: "queued jobs",
            value: (queueCounts.waiting ?? 0) + (queueCounts.prioritized ?? 0) + (queueCounts.delayed ?? 0),
            unit: "",
          },
          { label: "running sweeps", value: sweepsRunning, unit: "" },
        ],
      };
    },
    async close() {
      await queue?.close().catch(() => undefined);
      if (connection) await connection.quit().catch(() => connection.disconnect());
    },
  };
}
