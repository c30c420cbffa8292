import type { z } from "zod";
import { didYouMean } from "./did-you-mean.ts";
import type { Issue } from "./errors.ts";

const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}]/gu;

/**
 * JSON-quotes user text for an error message, with control, format (bidi, zero-width), surrogate,
 * private-use and unassigned code points written as `\uXXXX` so they cannot reach a terminal raw.
 */
function quote(text: string): string {
  const unit = (u: string) => `\\u${u.charCodeAt(0).toString(16).padStart(4, "0")}`;
  return JSON.stringify(text).replace(UNPRINTABLE, (c) => c.split("").map(unit).join(""));
}

/** Renders a value for an error message: numbers as written (NaN, Infinity too), strings quoted. */
export function show(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "number") return String(value);
  if (typeof value === "string") {
    return quote(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  }
  if (typeof value === "boolean") return String(value);
  if (Array.isArray(value)) {
    // Prototype methods are not trusted: the value is user data (its prototype may be anything).
    const items: unknown[] = [];
    for (let i = 0; i < Math.min(value.length, 9); i++) items.push(value[i]);
    return items.length <= 8 && items.every((v) => v === null || typeof v !== "object")
      ? `[${items.map(show).join(", ")}]`
      : `a list of ${value.length} items`;
  }
  return "a mapping";
}

/**
 * Dotted path: ["parameters", "lr", "min"] → "parameters.lr.min"; list indices and keys that are
 * not plain identifiers in brackets (["a b"] → `["a b"]`, quoted as `show` does, cut at 64 characters).
 */
export function joinPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else if (typeof key === "string" && /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) && key.length <= 64)
      out += out ? `.${key}` : key;
    else {
      const s = String(key);
      out += `[${quote(s.length > 64 ? `${s.slice(0, 64)}…` : s)}]`;
    }
  }
  return out;
}

const EXPECTED: Record<string, string> = {
  number: "a number",
  int: "an integer",
  string: "a string",
  boolean: "true or false",
  array: "a list",
  object: "a mapping",
  record: "a mapping",
};

/**
 * Converts one zod issue to our Issue(s) with a plain-English message. `known` maps a dotted
 * path to the keys allowed there, so unknown keys can be listed with the allowed ones.
 */
export function fromZodIssue(
  issue: z.core.$ZodIssue,
  prefix: readonly PropertyKey[],
  known: Readonly<Record<string, readonly string[]>> = {},
): Issue[] {
  const path = [...prefix, ...issue.path];
  const at = joinPath(path);
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case "invalid_type": {
      if (input === undefined) return [{ path: at, message: "is required" }];
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      return [{ path: at, message: `must be ${expected}, got ${show(input)}` }];
    }
    case "too_small": {
      const min = Number(issue.minimum);
      if (issue.origin === "string")
        return [{ path: at, message: min <= 1 ? "must not be empty" : `must have at least ${min} characters` }];
      if (issue.origin === "array" || issue.origin === "set")
        return [{ path: at, message: min <= 1 ? "must not be empty" : `must have at least ${min} items` }];
      return [{ path: at, message: `must be ${issue.inclusive ? ">=" : ">"} ${min}, got ${show(input)}` }];
    }
    case "too_big": {
      const max = Number(issue.maximum);
      if (issue.origin === "string")
        return [
          {
            path: at,
            message: `must have at most ${max} characters, got ${typeof input === "string" ? input.length : "more"}`,
          },
        ];
      if (issue.origin === "array" || issue.origin === "set")
        return [
          { path: at, message: `must have at most ${max} items, got ${Array.isArray(input) ? input.length : "more"}` },
        ];
      return [{ path: at, message: `must be ${issue.inclusive ? "<=" : "<"} ${max}, got ${show(input)}` }];
    }
    case "invalid_value":
      return [
        { path: at, message: `must be one of ${issue.values.map((v) => show(v)).join(" | ")}, got ${show(input)}` },
      ];
    case "unrecognized_keys": {
      // Each key with its closest known one; the list of known keys once, after the last.
      const allowed = Object.hasOwn(known, at) ? known[at] : undefined;
      return issue.keys.map((key, i) => {
        const guess = allowed && didYouMean(key, allowed);
        const list = allowed && i === issue.keys.length - 1 ? ` (known keys: ${allowed.join(", ")})` : "";
        return {
          path: joinPath([...path, key]),
          message: `is not a known key${guess ? `; did you mean "${guess}"?` : ""}${list}`,
        };
      });
    }
    case "invalid_format":
      return [{ path: at, message: `${issue.message}, got ${show(input)}` }];
    case "invalid_key":
      // A record key (e.g. a `dataset.columns` name) failed its schema: report why, at that key.
      return issue.issues.flatMap((inner) => fromZodIssue(inner, path, known));
    default:
      return [{ path: at, message: issue.message }];
  }
}

/** `sweep "name": path message`, one line per issue. */
export function formatIssues(name: string | undefined, issues: readonly Issue[]): string {
  const head = name === undefined ? "sweep" : `sweep ${JSON.stringify(name)}`;
  return issues.map((i) => `${head}: ${i.path ? `${i.path} ` : ""}${i.message}`).join("\n");
}
