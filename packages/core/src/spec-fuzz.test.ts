import { describe, expect, it } from "vitest";
import { HpoError } from "./errors.ts";
import { createRng, type Rng } from "./rng.ts";
import { parseSweepSpec } from "./spec.ts";

const VALID = {
  name: "fuzz",
  method: "grid",
  metric: { name: "val_accuracy", goal: "maximize" },
  dataset: { name: "iris" },
  parameters: {
    learning_rate: { values: [0.001, 0.01] },
    optimizer: { values: ["sgd", "momentum"] },
    momentum: { values: [0.9], when: { optimizer: ["momentum"] } },
    batch_size: { distribution: "int_uniform", min: 8, max: 16 },
  },
  cv: { folds: 3, stratified: true, seed: 1 },
  budget: { max_trials: 10, max_parallel: 2, max_epochs: 5 },
  early_terminate: { type: "asha", eta: 3 },
  seed: 1,
};

const WEIRD: unknown[] = [
  null,
  undefined,
  true,
  0,
  -1,
  1.5,
  1e308,
  -1e308,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  "",
  "x",
  "é✓",
  "a".repeat(5000),
  "__proto__",
  "constructor",
  [],
  [1, 2],
  {},
  { constructor: 1 },
  { __proto__: { polluted: 1 } },
  "toString",
];

function randomValue(rng: Rng, depth: number): unknown {
  const r = rng.next();
  if (depth > 3 || r < 0.6) return WEIRD[rng.int(0, WEIRD.length - 1)];
  if (r < 0.8) return Array.from({ length: rng.int(0, 4) }, () => randomValue(rng, depth + 1));
  const o: Record<string, unknown> = {};
  for (let i = rng.int(0, 4); i > 0; i--) o[String(WEIRD[rng.int(0, WEIRD.length - 1)])] = randomValue(rng, depth + 1);
  return o;
}

/** Replaces one randomly chosen node of a deep copy of `base` with a random value or key. */
function mutate(base: unknown, rng: Rng): unknown {
  if (base === null || typeof base !== "object") return randomValue(rng, 0);
  const copy = structuredClone(base) as Record<string, unknown>;
  let node: Record<string, unknown> = copy;
  for (let depth = 0; depth < 4; depth++) {
    const keys = Object.keys(node);
    if (keys.length === 0) break;
    const key = keys[rng.int(0, keys.length - 1)] as string;
    const child = node[key];
    if (rng.next() < 0.35 || child === null || typeof child !== "object") {
      if (rng.next() < 0.2) {
        delete node[key];
        node[String(WEIRD[rng.int(0, WEIRD.length - 1)])] = child;
      } else node[key] = randomValue(rng, 0);
      return copy;
    }
    node = child as Record<string, unknown>;
  }
  return copy;
}

describe("parseSweepSpec under fuzzing", () => {
  it("accepts the valid base", () => {
    expect(parseSweepSpec(VALID).name).toBe("fuzz");
  });

  it("returns a spec or throws HpoError with issues for 3,000 mutated and random inputs", () => {
    const rng = createRng(Number(process.env.FUZZ_SEED ?? 2024));
    let rejected = 0;
    for (let i = 0; i < Number(process.env.FUZZ_N ?? 3000); i++) {
      let input = i % 5 === 0 ? randomValue(rng, 0) : mutate(VALID, rng);
      for (let j = rng.int(0, 2); j > 0; j--) input = mutate(input, rng);
      try {
        const spec = parseSweepSpec(input);
        expect(typeof spec.name).toBe("string");
      } catch (e) {
        if (!(e instanceof HpoError))
          throw new Error(`input ${i} ${JSON.stringify(input)?.slice(0, 500)} threw ${(e as Error).stack}`);
        expect(["INVALID_SPEC", "PAYLOAD_TOO_LARGE"]).toContain(e.code);
        expect(e.message.length).toBeGreaterThan(0);
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(1000);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("survives hostile YAML: deep nesting, odd keys, binary junk", () => {
    const inputs = [
      `${"[".repeat(50_000)}${"]".repeat(50_000)}`,
      `a: ${"{b: ".repeat(20_000)}1${"}".repeat(20_000)}`,
      "\u0000\u0001\u0002: \uFFFF",
      "name: !!binary aGVsbG8=\ndataset: iris",
      "? [a, b]\n: c\ndataset: iris",
    ];
    for (const text of inputs) {
      expect(() => parseSweepSpec(text)).toThrow(HpoError);
    }
    expect(() => parseSweepSpec(inputs[0] as string)).toThrow(/deeper than 64 levels/);
    // Control characters in a key are escaped in the path.
    expect(() => parseSweepSpec("dataset: iris\n\u0001x: 1\n")).toThrow('sweep: ["\\u0001x"] is not a known key');
  });
});
