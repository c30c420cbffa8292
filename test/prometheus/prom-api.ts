/** A small client of the Prometheus HTTP API (v1) for tests. */

export interface PromSeries {
  readonly metric: Readonly<Record<string, string>>;
  /** Instant queries. */
  readonly value?: readonly [number, string];
  /** Range queries. */
  readonly values?: readonly (readonly [number, string])[];
}

export interface PromResult {
  readonly resultType: "vector" | "matrix" | "scalar" | "string";
  readonly result: readonly PromSeries[] | readonly [number, string];
}

export interface PromTarget {
  readonly labels: Readonly<Record<string, string>>;
  readonly scrapePool: string;
  readonly scrapeUrl: string;
  readonly health: "up" | "down" | "unknown";
  readonly lastError: string;
}

export interface PromRule {
  readonly name: string;
  readonly query: string;
  readonly health: string;
  readonly lastError?: string;
  readonly type: "alerting" | "recording";
}

/** Thrown for a non-success answer: `errorType` is e.g. "bad_data" for a PromQL parse error. */
export class PromApiError extends Error {
  constructor(
    readonly errorType: string,
    message: string,
  ) {
    super(message);
  }
}

export function promApi(baseUrl: string) {
  async function get<T>(path: string, params: Record<string, string | string[]> = {}): Promise<T> {
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) for (const item of Array.isArray(v) ? v : [v]) search.append(k, item);
    const res = await fetch(`${baseUrl}/api/v1/${path}?${search}`);
    const json = (await res.json()) as { status: string; data: T; errorType?: string; error?: string };
    if (json.status !== "success") throw new PromApiError(json.errorType ?? "unknown", `${path}: ${json.error}`);
    return json.data;
  }
  const seconds = (ms: number) => String(ms / 1000);
  return {
    query: (expr: string, timeMs = Date.now()) => get<PromResult>("query", { query: expr, time: seconds(timeMs) }),
    queryRange: (expr: string, startMs: number, endMs: number, stepS = 1) =>
      get<PromResult>("query_range", {
        query: expr,
        start: seconds(startMs),
        end: seconds(endMs),
        step: String(stepS),
      }),
    series: (match: string, startMs: number, endMs: number) =>
      get<Readonly<Record<string, string>>[]>("series", {
        "match[]": match,
        start: seconds(startMs),
        end: seconds(endMs),
      }),
    targets: async () => (await get<{ activeTargets: PromTarget[] }>("targets", { state: "active" })).activeTargets,
    alerts: async () =>
      (
        await get<{ alerts: { labels: Readonly<Record<string, string>>; state: "pending" | "firing" | "inactive" }[] }>(
          "alerts",
        )
      ).alerts,
    rules: async () =>
      (await get<{ groups: { name: string; rules: PromRule[] }[] }>("rules")).groups.flatMap((g) => g.rules),
    /** Parses `expr` without evaluating it (Prometheus >= 2.x: /api/v1/format_query needs 2.45; use query at time 0). */
    parses: async (expr: string) => {
      await get<PromResult>("query", { query: expr, time: "0" });
    },
  };
}

export type PromApi = ReturnType<typeof promApi>;

/** Series of a vector or matrix result (empty for scalars and strings). */
export function seriesOf(result: PromResult): readonly PromSeries[] {
  return result.resultType === "vector" || result.resultType === "matrix"
    ? (result.result as readonly PromSeries[])
    : [];
}
