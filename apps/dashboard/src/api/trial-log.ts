/** A trial's log: what the workers logged about it (GET /api/sweeps/:id/trials/:trialId/log). */
import type { TrialLogLine } from "@hpo/core";
import { request } from "./client.ts";

export type { TrialLogLine };

/** The trial's log lines, oldest first. */
export async function getTrialLog(sweepId: string, trialId: string): Promise<readonly TrialLogLine[]> {
  const w = await request<{ lines: TrialLogLine[] }>(
    `/api/sweeps/${encodeURIComponent(sweepId)}/trials/${encodeURIComponent(trialId)}/log`,
  );
  return w.lines;
}
