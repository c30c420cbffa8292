/**
 * The leaderboard query of the dashboard — sort by any column, filter by state, flag and param
 * clauses — parsed from the URL and evaluated over a sweep table. Results are cached per table
 * version, so scrolling (page after page of the same query) costs a slice.
 *
 * Reads may be open to anyone, so a filter is bounded: at most MAX_FILTER_CHARS characters and
 * MAX_FILTER_CLAUSES distinct clauses (duplicates are dropped), and `evaluate` hands the event
 * loop back every few milliseconds, so a costly filter over a big sweep never stalls the API.
 */
import { performance } from "node:perf_hooks";
import { type Goal, HpoError, isTrialState, type ParamValue, TRIAL_STATES, type TrialState } from "@hpo/core";
import type { SweepTable } from "./sweep-table.ts";

export interface LeaderboardQuery {
  /** "score" | "index" | "std" | "sem" | "duration" | "state" | "p:<param>" | "f:<fold>". Default "score". */
  readonly sort: string;
  /** For "score", "desc" means best first (whatever the goal). Default "desc" for score, else "asc". */
  readonly dir: "asc" | "desc";
  readonly states: readonly TrialState[];
  readonly flag?: string;
  readonly filter?: string;
  readonly offset: number;
  readonly limit: number;
}

/** Longest `filter` accepted, in characters (a 400 names the limit beyond). */
export const MAX_FILTER_CHARS = 500;
/** Most distinct clauses in one `filter` (a 400 names the limit beyond). */
export const MAX_FILTER_CLAUSES = 16;
/** `evaluate` yields to the event loop after this much work. */
const SLICE_MS = 8;

type Query = Readonly<Record<string, unknown>>;
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** @throws HpoError INVALID_REQUEST naming the bad parameter. */
export function parseLeaderboardQuery(q: Query): LeaderboardQuery {
  const int = (name: string, fallback: number, max: number) => {
    const raw = str(q[name]);
    if (raw === undefined) return fallback;
    const n = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isSafeInteger(n) || n > max) {
      throw new HpoError(
        "INVALID_REQUEST",
        `leaderboard: query parameter ${name} must be an integer from 0 to ${max}, got ${JSON.stringify(raw)}`,
      );
    }
    return n;
  };
  const sort = str(q.sort) ?? "score";
  if (!/^(score|index|std|sem|duration|state|p:.+|f:\d+)$/.test(sort)) {
    throw new HpoError(
      "INVALID_REQUEST",
      `leaderboard: sort must be score, index, std, sem, duration, state, p:<param> or f:<fold>, got ${JSON.stringify(sort)}`,
    );
  }
  const dirRaw = str(q.dir) ?? (sort === "score" ? "desc" : "asc");
  if (dirRaw !== "asc" && dirRaw !== "desc") {
    throw new HpoError("INVALID_REQUEST", `leaderboard: dir must be "asc" or "desc", got ${JSON.stringify(dirRaw)}`);
  }
  const states = (str(q.state) ?? "").split(",").filter(Boolean);
  for (const s of states) {
    if (!isTrialState(s)) {
      throw new HpoError(
        "INVALID_REQUEST",
        `leaderboard: state must be among ${TRIAL_STATES.join(", ")}, got ${JSON.stringify(s)}`,
      );
    }
  }
  const filter = str(q.filter);
  return {
    sort,
    dir: dirRaw,
    states: states as TrialState[],
    flag: str(q.flag),
    filter: filter === undefined ? undefined : distinctClauses(filter).join(" ") || undefined,
    offset: int("offset", 0, Number.MAX_SAFE_INTEGER),
    limit: int("limit", 100, 1000),
  };
}

/** True when the store can answer this query directly (its own score/index orders, one state). */
export function storeCanAnswer(q: LeaderboardQuery): boolean {
  return (
    !q.flag &&
    !q.filter &&
    q.states.length <= 1 &&
    ((q.sort === "score" && q.dir === "desc") || (q.sort === "index" && q.dir === "asc" && q.states.length === 0))
  );
}

/** The clauses of a filter (`lr<0.01 optimizer=adam "two words"`), as written. */
const filterTokens = (filter: string): string[] => filter.match(/[^\s,"]+(?:"[^"]*"[^\s,"]*)*|"[^"]*"/g) ?? [];

/**
 * The distinct clauses of `filter`, in order of first appearance.
 * @throws HpoError INVALID_REQUEST when the filter is longer than MAX_FILTER_CHARS or has more
 * than MAX_FILTER_CLAUSES distinct clauses (the message names the limit).
 */
export function distinctClauses(filter: string): string[] {
  if (filter.length > MAX_FILTER_CHARS) {
    throw new HpoError(
      "INVALID_REQUEST",
      `leaderboard: filter is ${filter.length} characters long; at most ${MAX_FILTER_CHARS} are allowed`,
    );
  }
  const clauses = [...new Set(filterTokens(filter))];
  if (clauses.length > MAX_FILTER_CLAUSES) {
    throw new HpoError(
      "INVALID_REQUEST",
      `leaderboard: filter has ${clauses.length} distinct clauses; at most ${MAX_FILTER_CLAUSES} are allowed`,
    );
  }
  return clauses;
}

const paramText = (v: ParamValue | undefined): string =>
  v === undefined ? "" : Array.isArray(v) ? `[${v.join(",")}]` : String(v);

type Clause = (i: number) => boolean;
const OPS = ["<=", ">=", "!=", "=", "<", ">", "~"] as const;

/**
 * Parses `lr<0.01 optimizer=adam hidden~64` into predicates over table slots, one per distinct
 * clause. @throws INVALID_REQUEST (unknown column, bad operator, limits of `distinctClauses`)
 */
export function parseFilter(filter: string, table: SweepTable): Clause[] {
  const paramNames = table.paramNames;
  const tokens = distinctClauses(filter);
  const nan = (v: number) => (Number.isNaN(v) ? undefined : v);
  return tokens.map((tok): Clause => {
    const m = /^([^<>=!~]+?)(<=|>=|!=|=|<|>|~)(.*)$/.exec(tok);
    if (!m) {
      const needle = tok.replace(/"/g, "").toLowerCase();
      return (i) =>
        `t${String(i).padStart(4, "0")}`.includes(needle) ||
        paramNames.some((p) => paramText(table.param(p, i)).toLowerCase().includes(needle));
    }
    const [, name = "", op = "=", rawValue = ""] = m;
    const value = rawValue.replace(/^"|"$/g, "");
    const special: Record<string, (i: number) => ParamValue | undefined> = {
      mean: (i) => nan(table.mean(i)),
      std: (i) => nan(table.std(i)),
      sem: (i) => nan(table.sem(i)),
      state: (i) => table.state(i),
      worker: (i) => table.worker(i),
      index: (i) => i,
    };
    const get = special[name] ?? (paramNames.includes(name) ? (i: number) => table.param(name, i) : undefined);
    if (!get) {
      throw new HpoError(
        "INVALID_REQUEST",
        `leaderboard: filter "${tok}": unknown column "${name}" (params: ${paramNames.join(", ") || "none"}; also mean, std, sem, state, worker, index)`,
      );
    }
    if (!OPS.includes(op as (typeof OPS)[number]))
      throw new HpoError("INVALID_REQUEST", `leaderboard: filter "${tok}": bad operator`);
    const num = Number(value);
    const numeric = value !== "" && Number.isFinite(num);
    return (i) => {
      const v = get(i);
      if (v === undefined) return op === "!=";
      if (op === "~") return paramText(v).toLowerCase().includes(value.toLowerCase());
      if (typeof v === "number" && numeric) {
        switch (op) {
          case "<":
            return v < num;
          case "<=":
            return v <= num;
          case ">":
            return v > num;
          case ">=":
            return v >= num;
          case "=":
            return v === num;
          default:
            return v !== num;
        }
      }
      const s = paramText(v);
      if (op === "=") return s === value;
      if (op === "!=") return s !== value;
      return op === "<" ? s < value : op === "<=" ? s <= value : op === ">" ? s > value : s >= value;
    };
  });
}

export interface LeaderboardResult {
  /** Table slots (trial indexes), in order. */
  readonly order: Uint32Array;
  readonly unfiltered: number;
}

/**
 * Sorted and filtered slots of `table` for `q` (offset/limit ignored). Missing values sort last in
 * both directions; ties break by index. "score" + "desc" is best first. The sort itself is the
 * table's cached per-column order; this only reverses and filters it, yielding to the event loop
 * every SLICE_MS so that other requests are served meanwhile.
 * @throws (rejects) HpoError INVALID_REQUEST for a bad filter, before any work.
 */
export async function evaluate(table: SweepTable, q: LeaderboardQuery, goal: Goal): Promise<LeaderboardResult> {
  const clauses = q.filter ? parseFilter(q.filter, table) : [];
  const states = q.states.length ? new Set(q.states) : null;
  const { slots, missing } = table.order(q.sort, goal);
  const ascending = q.sort === "score" ? q.dir === "desc" : q.dir === "asc";
  const n = slots.length;
  const withKey = n - missing;
  const keep = (i: number): boolean => {
    if (states && !states.has(table.state(i))) return false;
    if (q.flag && !(table.flags(i).includes(q.flag) || (q.flag === "pruned" && table.state(i) === "pruned")))
      return false;
    for (const c of clauses) if (!c(i)) return false;
    return true;
  };
  const out = new Uint32Array(n);
  let m = 0;
  const filtering = states !== null || !!q.flag || clauses.length > 0;
  let sliceStart = performance.now();
  for (let j = 0; j < n; j++) {
    if (filtering && (j & 255) === 0 && performance.now() - sliceStart > SLICE_MS) {
      await new Promise((r) => setImmediate(r));
      sliceStart = performance.now();
    }
    const i = slots[j < withKey && !ascending ? withKey - 1 - j : j] as number;
    if (!filtering || keep(i)) out[m++] = i;
  }
  return { order: out.subarray(0, m), unfiltered: table.count };
}
