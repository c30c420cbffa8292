/** Sweep analyses computed on the server: downsampled history, parameter importance, trial sample. */
import { query, request } from "./client.ts";
import type { History, Importance, TrialSample } from "./types.ts";

const path = (id: string, what: string) => `/api/dashboard/sweeps/${encodeURIComponent(id)}/${what}`;

export function getHistory(sweepId: string, points = 600): Promise<History> {
  return request<History>(`${path(sweepId, "history")}${query({ points })}`);
}

export function getImportance(sweepId: string): Promise<Importance> {
  return request<Importance>(path(sweepId, "importance"));
}

export function getSample(sweepId: string, limit = 1500): Promise<TrialSample> {
  return request<TrialSample>(`${path(sweepId, "sample")}${query({ limit })}`);
}
