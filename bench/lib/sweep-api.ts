/** The coordinator's sweep API as the benchmarks use it: submit a sweep, wait for its end. */

/** POSTs `spec` (a sweep spec as JSON) to the coordinator at `url`; resolves with the new sweep's id, throws on any answer but 201. */
export async function submitSweep(url: string, spec: unknown): Promise<string> {
  const res = await fetch(`${url}/api/sweeps`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(spec),
  });
  if (res.status !== 201) throw new Error(`POST /api/sweeps → ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

/**
 * Reads the sweep `id` from the coordinator at `url` every 200 ms (light polling: the observer
 * costs the coordinator CPU too) until it no longer runs, calling `whileRunning` with each record
 * read while it runs; resolves with the last record.
 */
export async function sweepEnd<T extends { status: string }>(
  url: string,
  id: string,
  whileRunning?: (sweep: T) => Promise<void>,
): Promise<T> {
  for (;;) {
    const sweep = (await (await fetch(`${url}/api/sweeps/${id}`)).json()) as T;
    if (sweep.status !== "running") return sweep;
    await whileRunning?.(sweep);
    await new Promise((r) => setTimeout(r, 200));
  }
}
