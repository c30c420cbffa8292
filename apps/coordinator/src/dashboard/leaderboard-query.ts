/**
 * The leaderboard query of the dashboard — sort by any column, filter by state, flag and param
 * clauses — parsed from the URL and evaluated over a sweep table. Results are cached per table
 * version, so scrolling (page after page of the same query) costs a slice.
 */
import { type Goal, HpoError, type ParamValue, type TrialState } from "@hpo/core";
import { TRIAL_STATES } from "@hpo/store";
import type { SweepTable, TableTrial } from "./sweep-table.ts";

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
    if (!TRIAL_STATES.includes(s as TrialState)) {
      throw new HpoError(
        "INVALID_REQUEST",
        `leaderboard: state must be among ${TRIAL_STATES.join(", ")}, got ${JSON.stringify(s)}`,
      );
    }
  }
  return {
    sort,
    dir: dirRaw,
    states: states as TrialState[],
    flag: str(q.flag),
    filter: str(q.filter),
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

const paramText = (v: ParamValue | undefined): string =>
  v === undefined ? "" : Array.isArray(v) ? `[${v.join(",")}]` : String(v);

type Clause = (t: TableTrial) => boolean;
const OPS = ["<=", ">=", "!=", "=", "<", ">", "~"] as const;

/** Parses `lr<0.01 optimizer=adam hidden~64` into predicates. @throws INVALID_REQUEST */
export function parseFilter(filter: string, paramNames: readonly string[]): Clause[] {
  const tokens = filter.match(/[^\s,"]+(?:"[^"]*"[^\s,"]*)*|"[^"]*"/g) ?? [];
  return tokens.map((tok): Clause => {
    const m = /^([^<>=!~]+?)(<=|>=|!=|=|<|>|~)(.*)$/.exec(tok);
    if (!m) {
      const needle = tok.replace(/"/g, "").toLowerCase();
      return (t) =>
        t.id.toLowerCase().includes(needle) ||
        Object.values(t.params).some((v) => paramText(v).toLowerCase().includes(needle));
    }
    const [, name = "", op = "=", rawValue = ""] = m;
    const value = rawValue.replace(/^"|"$/g, "");
    const special: Record<string, (t: TableTrial) => ParamValue | undefined> = {
      mean: (t) => t.mean,
      std: (t) => t.std,
      sem: (t) => t.sem,
      state: (t) => t.state,
      worker: (t) => t.worker,
      index: (t) => t.index,
    };
    const get = special[name] ?? (paramNames.includes(name) ? (t: TableTrial) => t.params[name] : undefined);
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
    return (t) => {
      const v = get(t);
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

const STATE_RANK = new Map(TRIAL_STATES.map((s, i) => [s, i]));

/** Sort key of one trial: a number (NaN = missing, always last) or a string. */
function keyOf(sort: string, goal: Goal): (t: TableTrial) => number | string {
  if (sort === "score") return (t) => (t.mean === undefined ? Number.NaN : goal === "maximize" ? -t.mean : t.mean);
  if (sort === "index") return (t) => t.index;
  if (sort === "std") return (t) => t.std ?? Number.NaN;
  if (sort === "sem") return (t) => t.sem ?? Number.NaN;
  if (sort === "duration") return (t) => t.durationMs ?? Number.NaN;
  if (sort === "state") return (t) => STATE_RANK.get(t.state) ?? 99;
  if (sort.startsWith("f:")) {
    const k = Number(sort.slice(2));
    return (t) => t.folds.find((f) => f.fold === k)?.score ?? Number.NaN;
  }
  const name = sort.slice(2);
  return (t) => {
    const v = t.params[name];
    if (v === undefined) return Number.NaN;
    return typeof v === "number" ? v : typeof v === "boolean" ? Number(v) : paramText(v);
  };
}

export interface LeaderboardResult {
  /** Indices into `table.trials`, in order. */
  readonly order: Int32Array;
  readonly unfiltered: number;
}

/**
 * Sorted and filtered trial positions of `table` for `q` (offset/limit ignored). Missing values
 * sort last in both directions; ties break by index. "score" + "desc" is best first.
 */
export function evaluate(table: SweepTable, q: LeaderboardQuery, goal: Goal, paramNames: readonly string[]): LeaderboardResult {
  const clauses = q.filter ? parseFilter(q.filter, paramNames) : [];
  const states = q.states.length ? new Set(q.states) : null;
  const key = keyOf(q.sort, goal);
  const trials = table.trials;
  const kept: number[] = [];
  const raw: (number | string)[] = [];
  let unfiltered = 0;
  let strings = false;
  for (let i = 0; i < trials.length; i++) {
    const t = trials[i];
    if (!t) continue;
    unfiltered++;
    if (states && !states.has(t.state)) continue;
    if (q.flag && !(t.flags.includes(q.flag) || (q.flag === "pruned" && t.state === "pruned"))) continue;
    let ok = true;
    for (const c of clauses) if (!c(t)) ok = false;
    if (!ok) continue;
    const k = key(t);
    if (typeof k === "string") strings = true;
    kept.push(i);
    raw.push(k);
  }
  // One numeric key per kept trial (strings by rank), missing = +Infinity so it sorts last in
  // both directions; ties break by index. "score" keys are lower-is-better already.
  const ascending = q.sort === "score" ? q.dir === "desc" : q.dir === "asc";
  const sign = ascending ? 1 : -1;
  const keys = new Float64Array(kept.length);
  const rank = strings ? new Map([...new Set(raw.map(String))].sort().map((v, r) => [v, r])) : null;
  for (let j = 0; j < kept.length; j++) {
    const k = raw[j] as number | string;
    const v = typeof k === "number" ? k : rank ? (rank.get(k) as number) : Number.NaN;
    keys[j] = Number.isNaN(v) ? Number.POSITIVE_INFINITY : sign * v;
  }
  if (rank) {
    for (let j = 0; j < kept.length; j++) {
      // numbers mixed with strings (rare): numbers first, by value
      const k = raw[j];
      if (typeof k === "number" && !Number.isNaN(k)) keys[j] = sign * (k - 1e15);
    }
  }
  const pos = new Uint32Array(kept.length);
  for (let j = 0; j < pos.length; j++) pos[j] = j;
  pos.sort((a, b) => (keys[a] as number) - (keys[b] as number) || a - b);
  const order = new Int32Array(pos.length);
  for (let j = 0; j < pos.length; j++) order[j] = kept[pos[j] as number] as number;
  return { order, unfiltered };
}
