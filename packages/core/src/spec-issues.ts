import type { z } from "zod";
import type { Issue } from "./errors.ts";

/** Renders a value for an error message: numbers as written (NaN, Infinity too), strings quoted. */
export function show(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "number") return String(value);
  if (typeof value === "string") {
    const s = JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
    return s;
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
 * not plain identifiers in brackets (["a b"] → `["a b"]`, JSON-escaped, cut at 64 characters).
 */
export function joinPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else if (typeof key === "string" && /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) && key.length <= 64)
      out += out ? `.${key}` : key;
    else {
      const s = String(key);
      out += `[${JSON.stringify(s.length > 64 ? `${s.slice(0, 64)}…` : s)}]`;
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
      const allowed = Object.hasOwn(known, at) ? known[at] : undefined;
      const hint = allowed ? ` (known keys: ${allowed.join(", ")})` : "";
      return issue.keys.map((key) => ({ path: joinPath([...path, key]), message: `is not a known key${hint}` }));
    }
    case "invalid_format":
      return [{ path: at, message: `${issue.message}, got ${show(input)}` }];
    default:
      return [{ path: at, message: issue.message }];
  }
}

/** `sweep "name": path message`, one line per issue. */
export function formatIssues(name: string | undefined, issues: readonly Issue[]): string {
  const head = name === undefined ? "sweep" : `sweep ${JSON.stringify(name)}`;
  return issues.map((i) => `${head}: ${i.path ? `${i.path} ` : ""}${i.message}`).join("\n");
}
