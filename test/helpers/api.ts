import type { Page, SweepRecord, TrialRecord } from "@hpo/core";
import { waitFor } from "@hpo/core/testing";

/** Minimal REST client of the coordinator for tests (throws on non-2xx with the error body). */
export function apiClient(base: string, token?: string) {
  const call = async <T>(method: string, path: string, body?: string, type = "application/yaml"): Promise<T> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(body !== undefined && { "content-type": type }),
        ...(token && { authorization: `Bearer ${token}` }),
      },
      ...(body !== undefined && { body }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
    return JSON.parse(text) as T;
  };
  return {
    submit: (yaml: string) => call<SweepRecord>("POST", "/api/sweeps", yaml),
    sweep: (id: string) => call<SweepRecord>("GET", `/api/sweeps/${id}`),
    trials: (id: string, query = "limit=1000") => call<Page<TrialRecord>>("GET", `/api/sweeps/${id}/trials?${query}`),
    cancel: (id: string) => call<SweepRecord>("POST", `/api/sweeps/${id}/cancel`),
    /** The sweep once it is no longer running (completed, failed or cancelled), polled every 250 ms. */
    ended: (id: string, timeoutMs: number) =>
      waitFor(
        `sweep ${id} to end`,
        async () => {
          const s = await call<SweepRecord>("GET", `/api/sweeps/${id}`);
          return s.status !== "running" && s;
        },
        { timeoutMs, intervalMs: 250 },
      ),
  };
}
