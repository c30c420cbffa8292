/**
 * Seeded generator of hostile sweep-spec request bodies (core's createRng, so any failure
 * reproduces from its seed and case number). Each case is a valid base spec with one mutation —
 * a wrong type, an out-of-range or non-finite number, an unknown key, unicode, a huge array,
 * deep nesting, a deleted key — or a hostile whole body (garbage, YAML alias bombs, duplicate
 * keys, 10 MB). `must` says what a correct coordinator answers.
 */
import { createRng, type Rng } from "@hpo/core";
import { stringify as toYaml } from "yaml";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export type Expectation =
  /** 4xx with a detail whose path is exactly `path`. */
  | "reject-naming-field"
  /** Any 4xx with an error message. */
  | "reject"
  /** 413 PAYLOAD_TOO_LARGE. */
  | "too-large"
  /** 201 or a 4xx with an error message (the mutation may leave the spec valid). */
  | "any";

export interface FuzzCase {
  readonly n: number;
  readonly kind: string;
  readonly body: string;
  readonly contentType: "application/json" | "application/yaml";
  /**
   * The field the mutation touched, as the API's error details name it (see `fieldPath`): a
   * refusal must carry a detail with exactly this path.
   */
  readonly path?: string;
  readonly must: Expectation;
}

const BASES: Json[] = [
  {
    name: "fuzz-random",
    method: "random",
    seed: 1,
    dataset: "iris",
    metric: { name: "val_accuracy", goal: "maximize" },
    parameters: {
      learning_rate: { distribution: "log_uniform_values", min: 0.0001, max: 0.1 },
      batch_size: { values: [16, 32, 64] },
      dropout: { distribution: "uniform", min: 0, max: 0.5 },
    },
    model: { hidden: [16, 8], activation: "relu" },
    cv: { folds: 3, stratified: true, seed: 1 },
    budget: { max_trials: 4, max_parallel: 2, max_epochs: 5 },
  },
  {
    name: "fuzz-grid",
    method: "grid",
    dataset: { name: "wine" },
    parameters: { optimizer: { values: ["adam", "sgd"] }, learning_rate: { values: [0.01, 0.001] } },
    early_terminate: { type: "median" },
    budget: { max_trials: 4, max_epochs: 3 },
  },
  {
    name: "fuzz-tpe",
    method: "tpe",
    dataset: "digits",
    parameters: { learning_rate: { min: 0.0001, max: 0.1, distribution: "log_uniform_values" } },
    early_terminate: { type: "asha" },
    budget: { max_trials: 10, max_parallel: 2, max_epochs: 9 },
  },
];

const UNICODE = ["名前", "💥🔥", "\u202etxt.exe", "a\u0000b", "\ud800", "ÅÄÖ", "\u200b", "ｆｕｌｌ", "𝕳𝖕𝖔", "\n\t\r"];
const UNKNOWN_KEYS = [
  "extra",
  "__proto__",
  "constructor",
  "prototype",
  "Parameters",
  "max-trials",
  "💥",
  "",
  "toString",
];
const BAD_NUMBERS = [-1, 0, -1e308, 1e308, 2 ** 53 + 1, -(2 ** 31), 1e-320, 0.5, 1e9, 123456789012];

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(0, xs.length - 1)] as T;
const clone = (v: Json): Json => JSON.parse(JSON.stringify(v)) as Json;

/** Every path to a value in `v` (object keys and array indices). */
function paths(v: Json, at: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = at.length ? [at] : [];
  if (Array.isArray(v)) {
    for (const [i, x] of v.entries()) out.push(...paths(x, [...at, i]));
  } else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  return out;
}

function getAt(v: Json, path: readonly (string | number)[]): Json {
  let cur: Json = v;
  for (const p of path) cur = (cur as Record<string | number, Json>)[p] as Json;
  return cur;
}

function setAt(v: Json, path: readonly (string | number)[], value: Json | undefined): void {
  const parent = getAt(v, path.slice(0, -1)) as Record<string | number, Json>;
  const last = path[path.length - 1] as string | number;
  if (value === undefined) {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else parent[last] = value;
}

/**
 * A path as the API's error details write it: keys joined by dots, list indices and keys that
 * are not plain identifiers (or are over 64 characters) in brackets, e.g. `parameters.lr.min`,
 * `model.hidden[0]`, `budget["💥"]`.
 */
export function fieldPath(path: readonly (string | number)[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) && key.length <= 64) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(key)}]`;
  }
  return out;
}

function wrongTypeFor(rng: Rng, v: Json): Json {
  const options: Json[] = ["text", 42, true, null, [1, "a"], { a: 1 }];
  const type = (x: Json) => (Array.isArray(x) ? "array" : x === null ? "null" : typeof x);
  return pick(
    rng,
    options.filter((o) => type(o) !== type(v)),
  );
}

function deep(depth: number, leaf: Json, object: boolean): Json {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = object ? { a: v } : [v];
  return v;
}

const yamlPlaceholders = (text: string) =>
  text
    .replace(/"?__NAN__"?/g, ".nan")
    .replace(/"?__INF__"?/g, ".inf")
    .replace(/"?__NINF__"?/g, "-.inf");

/** Block YAML, or JSON text (also YAML) where the yaml package's stringifier recurses too deep. */
function yamlText(v: Json): string {
  try {
    return toYaml(v);
  } catch {
    return JSON.stringify(v);
  }
}

/** The case number `n` of the stream for `seed` (independent of other cases: reproducible alone). */
export function fuzzCase(seed: number, n: number): FuzzCase {
  const rng = createRng((seed * 1_000_003 + n) >>> 0);
  const spec = clone(pick(rng, BASES));
  const all = paths(spec);
  const path = pick(rng, all);
  const field = path[path.length - 1];
  const yaml = rng.next() < 0.4;
  const encode = (v: Json): Pick<FuzzCase, "body" | "contentType"> =>
    yaml
      ? { body: yamlText(v), contentType: "application/yaml" }
      : { body: JSON.stringify(v), contentType: "application/json" };
  const roll = rng.int(0, 99);

  if (roll < 25) {
    const cur = getAt(spec, path);
    setAt(spec, path, wrongTypeFor(rng, cur));
    // a wrong type inside a list of values may still be a valid value (values: [16, "text"])
    // and `dataset: "text"` is the shorthand of `dataset: { name: text }`
    const inValues = path.includes("values") || path.includes("hidden") || field === "dataset";
    // `early_terminate: text` is the shorthand of `early_terminate: { type: text }`
    const at = field === "early_terminate" && typeof getAt(spec, path) === "string" ? [...path, "type"] : path;
    return {
      n,
      kind: "wrong-type",
      ...encode(spec),
      path: fieldPath(at),
      must: inValues ? "any" : "reject-naming-field",
    };
  }
  if (roll < 40) {
    const obj = pick(
      rng,
      [[], ...all].filter((p) => {
        const v = getAt(spec, p);
        return v !== null && typeof v === "object" && !Array.isArray(v);
      }),
    );
    const key = pick(rng, UNKNOWN_KEYS);
    const target = getAt(spec, obj) as Record<string, Json>;
    // parameters: {...} holds parameter names; an unknown one is refused by name too
    Object.defineProperty(target, key, { value: 1, enumerable: true, configurable: true, writable: true });
    return {
      n,
      kind: "unknown-key",
      ...encode(spec),
      path: fieldPath([...obj, key]),
      must: key === "" ? "reject" : "reject-naming-field",
    };
  }
  if (roll < 52) {
    const numeric = all.filter((p) => typeof getAt(spec, p) === "number");
    const p = pick(rng, numeric);
    setAt(spec, p, pick(rng, BAD_NUMBERS));
    return { n, kind: "out-of-range", ...encode(spec), path: fieldPath(p), must: "any" };
  }
  if (roll < 62) {
    const numeric = all.filter((p) => typeof getAt(spec, p) === "number");
    const p = pick(rng, numeric);
    setAt(spec, p, pick(rng, ["__NAN__", "__INF__", "__NINF__"]));
    const text = yamlPlaceholders(yamlText(spec));
    return {
      n,
      kind: "non-finite",
      body: text,
      contentType: "application/yaml",
      path: fieldPath(p),
      must: "reject-naming-field",
    };
  }
  if (roll < 70) {
    const strings = all.filter((p) => typeof getAt(spec, p) === "string");
    const p = pick(rng, strings);
    setAt(spec, p, pick(rng, UNICODE) + (rng.next() < 0.2 ? "x".repeat(rng.int(100, 5000)) : ""));
    return { n, kind: "unicode", ...encode(spec), path: fieldPath(p), must: "any" };
  }
  if (roll < 76) {
    // YAML bodies stay small: parsing YAML costs ~5 µs per byte (see the coordinator's yamlBodyLimit)
    const big = Array.from({ length: rng.int(1_001, yaml ? 3_000 : 60_000) }, (_, i) =>
      rng.next() < 0.5 ? i : `v${i}`,
    );
    const param = Object.keys((spec as { parameters: object }).parameters)[0] as string;
    const p = rng.next() < 0.5 ? ["parameters", param, "values"] : path;
    setAt(spec, p, big);
    return { n, kind: "huge-array", ...encode(spec), path: fieldPath(p), must: "reject-naming-field" };
  }
  if (roll < 82) {
    setAt(spec, path, deep(rng.int(65, 1500), 1, rng.next() < 0.5));
    return { n, kind: "deep-nesting", ...encode(spec), path: fieldPath(path), must: "reject" };
  }
  if (roll < 88) {
    const top = pick(rng, Object.keys(spec as object));
    setAt(spec, [top], undefined);
    return { n, kind: "deleted-key", ...encode(spec), path: top, must: "any" };
  }
  // hostile whole bodies
  const which = rng.int(0, 7);
  const bodies: [string, string, FuzzCase["contentType"]][] = [
    [
      "garbage",
      String.fromCharCode(...Array.from({ length: rng.int(1, 300) }, () => rng.int(0, 0xffff))),
      "application/json",
    ],
    [
      "scalar-root",
      pick(rng, ["42", "null", "true", '"spec"', "[]", "[1,2]", "{}", "-0", "1e999"]),
      "application/json",
    ],
    ["truncated", JSON.stringify(spec).slice(0, rng.int(1, 200)), "application/json"],
    ["nan-json", JSON.stringify(spec).replace(/: ?(\d+(\.\d+)?)/, ": NaN"), "application/json"],
    [
      "alias-bomb",
      'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n',
      "application/yaml",
    ],
    ["duplicate-keys", "name: a\nname: b\nmethod: random\nparameters: {}\n", "application/yaml"],
    [
      "yaml-tags",
      "name: !!js/function 'function(){}'\nmethod: !!binary AAAA\nparameters: !!set {a, b}\n",
      "application/yaml",
    ],
    ["yaml-garbage", `{{{${"]".repeat(rng.int(1, 50))}: - - :\n\t- !x`, "application/yaml"],
  ];
  const [kind, body, contentType] = bodies[which] as [string, string, FuzzCase["contentType"]];
  return { n, kind, body, contentType, must: "reject" };
}

/** A body of about `mb` megabytes: a JSON or YAML spec whose name, or a values list, is huge. */
export function hugeBody(mb: number, variant: number): Pick<FuzzCase, "body" | "contentType" | "kind"> {
  const size = mb * 1024 * 1024;
  if (variant % 3 === 0)
    return {
      kind: "10mb-json-string",
      body: JSON.stringify({ name: "x".repeat(size) }),
      contentType: "application/json",
    };
  if (variant % 3 === 1)
    return { kind: "10mb-yaml", body: `name: ${"y".repeat(size)}\n`, contentType: "application/yaml" };
  return {
    kind: "10mb-json-array",
    body: JSON.stringify({ name: "big", parameters: { a: { values: Array.from({ length: size / 8 }, (_, i) => i) } } }),
    contentType: "application/json",
  };
}
