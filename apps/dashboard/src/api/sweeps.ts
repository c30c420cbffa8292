/** Sweeps resource: list, get, cancel, submit (the coordinator's REST API). */
import type { Page, SweepRecord } from "@hpo/core";
import { query, request } from "./client.ts";
import { toSweepSummary } from "./convert.ts";
import type { SweepSummary } from "./types.ts";

export async function listSweeps(offset = 0, limit = 200): Promise<{ items: SweepSummary[]; total: number }> {
  const page = await request<Page<SweepRecord>>(`/api/sweeps${query({ offset, limit })}`);
  return { items: page.items.map((s) => toSweepSummary(s)), total: page.total };
}

export async function getSweep(id: string): Promise<SweepSummary> {
  return toSweepSummary(await request<SweepRecord>(`/api/sweeps/${encodeURIComponent(id)}`));
}

/** Cancels a sweep (needs the API token when the coordinator has one). */
export async function cancelSweep(id: string): Promise<SweepSummary> {
  const rec = await request<SweepRecord>(`/api/sweeps/${encodeURIComponent(id)}/cancel`, {
    method: "POST",
    body: "{}",
  });
  return toSweepSummary(rec);
}

/** Resumes a cancelled sweep: its cancelled trials are queued again (needs the token). */
export async function resumeSweep(id: string): Promise<SweepSummary> {
  return toSweepSummary(
    await request<SweepRecord>(`/api/sweeps/${encodeURIComponent(id)}/resume`, { method: "POST", body: "{}" }),
  );
}

/** Adds trials to a sweep's budget; a completed sweep runs again (needs the token). */
export async function extendSweep(id: string, trials: number): Promise<SweepSummary> {
  return toSweepSummary(
    await request<SweepRecord>(`/api/sweeps/${encodeURIComponent(id)}/extend`, {
      method: "POST",
      body: JSON.stringify({ trials }),
    }),
  );
}

/**
 * Submits a sweep as pasted YAML (JSON is valid YAML). Throws `ApiError` with `issues` when the
 * coordinator rejects the spec: the same messages the CLI prints.
 */
export async function submitSweep(yaml: string): Promise<SweepSummary> {
  const rec = await request<SweepRecord>("/api/sweeps", {
    method: "POST",
    body: yaml,
    contentType: "application/yaml",
  });
  return toSweepSummary(rec);
}

/** Converts a wire record received on the event stream. */
export { toSweepSummary as sweepFromWire };
