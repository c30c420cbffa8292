import type { ApiErrorBody, EpochReport, Page, SweepRecord, TrialLogLine, TrialRecord, TrialState } from "@hpo/core";
import { ERROR_STATUS, type ErrorCode, HpoError } from "@hpo/core";
import type { ExportFiles } from "@hpo/trainer/export-files";
import { printable } from "./format/printable.ts";

/** Options of `ApiClient`. */
export interface ApiClientOptions {
  /** Base URL of the coordinator, e.g. http://127.0.0.1:8080 (no trailing slash needed). */
  readonly url: string;
  /** Sent as `Authorization: Bearer <token>` when set. */
  readonly token?: string | undefined;
  /** Per-request timeout in ms; default 30 000. */
  readonly timeoutMs?: number;
  /** Injected for tests; default: the global fetch. */
  readonly fetch?: typeof fetch;
}

/** How long an export may take: a refit trains one config on the coordinator first. */
const EXPORT_TIMEOUT_MS = 30 * 60_000;

/** Query of `listTrials`. */
export interface TrialQuery {
  readonly offset?: number;
  readonly limit?: number;
  /** `score` (best first, the default) or `index`. */
  readonly sort?: "score" | "index";
  readonly state?: TrialState;
}

export type TrialWithCurve = TrialRecord & { readonly curve: readonly EpochReport[] };

/**
 * The one HTTP client of the CLI for the coordinator's REST API (docs/CONTRACTS.md).
 * Every method resolves to core types or throws HpoError:
 * - the server's `ApiErrorBody` code and message (e.g. INVALID_SPEC with `details: Issue[]`);
 * - UNAVAILABLE "cannot reach the coordinator at URL: is `pnpm hpo up` running?" when the
 *   connection fails or times out;
 * - INTERNAL when the server answers something that is not the documented JSON.
 */
export class ApiClient {
  readonly url: string;
  private readonly token: string | undefined;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(options: ApiClientOptions) {
    this.url = options.url.replace(/\/+$/, "");
    this.token = options.token;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.fetchImpl = options.fetch ?? fetch;
  }

  /** True when GET /healthz answers 200; false on any other answer or no answer. Never throws. */
  async healthy(): Promise<boolean> {
    try {
      const res = await this.fetchImpl(`${this.url}/healthz`, { signal: AbortSignal.timeout(2_000) });
      await res.body?.cancel();
      return res.ok;
    } catch {
      return false;
    }
  }

  /**
   * POST /api/sweeps. `body` is a sweep as a JSON value, or the text of a sweep file: YAML (sent as
   * application/yaml) or, with `format: "json"`, JSON. Throws INVALID_SPEC with `details: Issue[]`.
   */
  createSweep(body: unknown, format: "yaml" | "json" = "yaml"): Promise<SweepRecord> {
    if (typeof body !== "string") return this.request("POST", "/api/sweeps", JSON.stringify(body), "application/json");
    return this.request("POST", "/api/sweeps", body, format === "json" ? "application/json" : "application/yaml");
  }

  /** GET /api/sweeps, newest first. */
  listSweeps(page: { offset?: number; limit?: number } = {}): Promise<Page<SweepRecord>> {
    return this.request("GET", `/api/sweeps${query(page)}`);
  }

  /** GET /api/sweeps/:id. Throws NOT_FOUND for an unknown id. */
  getSweep(id: string): Promise<SweepRecord> {
    return this.request("GET", `/api/sweeps/${encodeURIComponent(id)}`);
  }

  /** GET /api/sweeps/:id/trials: one page, best first unless `sort: "index"`. */
  listTrials(id: string, q: TrialQuery = {}): Promise<Page<TrialRecord>> {
    return this.request("GET", `/api/sweeps/${encodeURIComponent(id)}/trials${query(q)}`);
  }

  /** Every trial of a sweep (follows pages), in the server's order (best first by default). */
  async listAllTrials(id: string, q: Omit<TrialQuery, "offset" | "limit"> = {}): Promise<TrialRecord[]> {
    const all: TrialRecord[] = [];
    // Advance by what came back: the server may cap `limit` below what was asked.
    for (;;) {
      const page = await this.listTrials(id, { ...q, offset: all.length, limit: 200 });
      all.push(...page.items);
      if (page.items.length === 0 || all.length >= page.total) return all;
    }
  }

  /** GET /api/sweeps/:id/trials/:trialId, with the per-epoch curve. */
  getTrial(id: string, trialId: string): Promise<TrialWithCurve> {
    return this.request("GET", `/api/sweeps/${encodeURIComponent(id)}/trials/${encodeURIComponent(trialId)}`);
  }

  /** GET /api/sweeps/:id/trials/:trialId/log: what the workers logged about the trial, oldest first. */
  async getTrialLog(id: string, trialId: string): Promise<readonly TrialLogLine[]> {
    const body = await this.request<{ lines: TrialLogLine[] }>(
      "GET",
      `/api/sweeps/${encodeURIComponent(id)}/trials/${encodeURIComponent(trialId)}/log`,
    );
    return body.lines;
  }

  /** POST /api/sweeps/:id/cancel → the sweep after cancellation. */
  cancelSweep(id: string): Promise<SweepRecord> {
    return this.request("POST", `/api/sweeps/${encodeURIComponent(id)}/cancel`);
  }

  /** `POST /api/sweeps/:id/resume`: a cancelled sweep runs again (its cancelled trials re-queued). */
  resumeSweep(id: string): Promise<SweepRecord> {
    return this.request("POST", `/api/sweeps/${encodeURIComponent(id)}/resume`);
  }

  /** `POST /api/sweeps/:id/extend`: adds trials (and/or seconds) to the sweep's budget. */
  extendSweep(id: string, add: { readonly trials?: number; readonly seconds?: number }): Promise<SweepRecord> {
    return this.request(
      "POST",
      `/api/sweeps/${encodeURIComponent(id)}/extend`,
      JSON.stringify(add),
      "application/json",
    );
  }

  /**
   * `POST /api/sweeps/:id/export`: the files of trial `trial` (default: the sweep's best) refit on
   * every row outside the test split. Waits up to 30 minutes (the coordinator may refit first).
   */
  exportModel(id: string, trial?: string): Promise<ExportFiles> {
    return this.request(
      "POST",
      `/api/sweeps/${encodeURIComponent(id)}/export`,
      JSON.stringify(trial === undefined ? {} : { trial }),
      "application/json",
      EXPORT_TIMEOUT_MS,
    );
  }

  private async request<T>(
    method: string,
    path: string,
    body?: string,
    contentType?: string,
    timeoutMs = this.timeoutMs,
  ): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (contentType) headers["content-type"] = contentType;
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let res: Response;
    try {
      res = await this.fetchImpl(`${this.url}${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body } : {}),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      throw new HpoError(
        "UNAVAILABLE",
        `cannot reach the coordinator at ${this.url}: is \`pnpm hpo up\` running? (${describeFetchError(e)})`,
      );
    }
    const text = await res.text();
    let json: unknown;
    try {
      // every string shown by any command is printable (see printable.ts), --json included
      json = text === "" ? undefined : JSON.parse(text, (_key, v) => (typeof v === "string" ? printable(v) : v));
    } catch {
      json = undefined;
    }
    if (!res.ok) throw toError(method, path, res.status, json, text);
    if (json === undefined) {
      throw new HpoError(
        "INTERNAL",
        `${method} ${path}: expected JSON from the coordinator, got "${text.slice(0, 80)}"`,
      );
    }
    return json as T;
  }
}

function query(q: object): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined) params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : "";
}

function toError(method: string, path: string, status: number, json: unknown, text: string): HpoError {
  const err = (json as Partial<ApiErrorBody> | undefined)?.error;
  if (err && typeof err.code === "string" && typeof err.message === "string") {
    const code: ErrorCode = err.code in ERROR_STATUS ? (err.code as ErrorCode) : statusCode(status);
    return new HpoError(code, err.message, err.details);
  }
  const snippet = text.trim().slice(0, 120) || "(empty body)";
  return new HpoError(statusCode(status), `${method} ${path}: the coordinator answered HTTP ${status}: ${snippet}`);
}

/** Maps a bare HTTP status (no ApiErrorBody) to the closest code. */
function statusCode(status: number): ErrorCode {
  const byStatus: Readonly<Record<number, ErrorCode>> = {
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    422: "INVALID_DATASET",
    503: "UNAVAILABLE",
  };
  return byStatus[status] ?? (status >= 400 && status < 500 ? "INVALID_REQUEST" : "INTERNAL");
}

function describeFetchError(e: unknown): string {
  if (e instanceof Error) {
    if (e.name === "TimeoutError") return "request timed out";
    const cause = (e as Error & { cause?: { code?: string; message?: string } }).cause;
    if (cause?.code) return cause.code;
    if (cause?.message) return cause.message;
    return e.message;
  }
  return String(e);
}
