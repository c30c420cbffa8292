import { describe, expect, it } from "vitest";
import { parseSweepSpec } from "./spec.ts";
import { checkSweepMemory, largestTrial } from "./sweep-memory.ts";
import { hpoErrorOf } from "./testing/hpo-error-of.ts";
import { estimateTrialMemory, formatLayers, mlpFootprint, WASM_HEAP_BYTES } from "./trial-memory.ts";

const GB4 = 4 * 2 ** 30;
const deep = Array.from({ length: 8 }, () => 4096);

const refusal = (spec: unknown, limit = GB4) =>
  hpoErrorOf(() => checkSweepMemory(parseSweepSpec(spec), limit, "HPO_TRIAL_MEMORY_MB"));

describe("estimateTrialMemory", () => {
  it("grows with parameters, folds, optimizer state, batch rows and layer widths", () => {
    const data = { rows: 1797, features: 64, outputs: 10 };
    const base = { model: mlpFootprint([128], 64, 10), folds: 5, batchSize: 32, optimizer: "adam", data };
    const b = estimateTrialMemory(base).bytes;
    expect(estimateTrialMemory({ ...base, folds: 10 }).bytes).toBeGreaterThan(b);
    expect(estimateTrialMemory({ ...base, optimizer: "sgd" }).bytes).toBeLessThan(b);
    expect(estimateTrialMemory({ ...base, batchSize: 1024 }).bytes).toBeGreaterThan(b);
    expect(estimateTrialMemory({ ...base, model: mlpFootprint([256], 64, 10) }).bytes).toBeGreaterThan(b);
    expect(estimateTrialMemory({ ...base, earlyStopping: true }).bytes).toBeGreaterThan(b);
    // batches beyond a fold's training rows cost nothing more
    expect(estimateTrialMemory({ ...base, batchSize: 60_000 }).bytes).toBe(
      estimateTrialMemory({ ...base, batchSize: 1438 }).bytes,
    );
    // unknown data (a CSV file): a lower bound
    const { data: _, ...csv } = base;
    expect(estimateTrialMemory(csv)).toMatchObject({ complete: false });
    expect(estimateTrialMemory(csv).bytes).toBeLessThan(b);
  });

  it("counts the MLP's parameters as the trainer lays them out", () => {
    expect(mlpFootprint([16], 4, 3).parameters).toBe(4 * 16 + 16 + 16 * 3 + 3);
    expect(mlpFootprint([16], 4, 3, { batchNorm: true }).parameters).toBe(4 * 16 + 16 + 2 * 16 + 16 * 3 + 3);
    expect(mlpFootprint([], 4, 3).parameters).toBe(4 * 3 + 3);
  });

  it("names layer lists shortly", () => {
    expect(formatLayers(deep)).toBe("[4096 × 8]");
    expect(formatLayers([128, 64])).toBe("[128, 64]");
    expect(formatLayers([512, 256, 256, 256, 10])).toBe("[512, 256 × 3, 10]");
    expect(formatLayers([])).toBe("[]");
  });
});

describe("checkSweepMemory", () => {
  it("refuses the issue's sweep (digits, hidden [4096 × 8]) naming the layout, folds, optimizer, estimate and limit", () => {
    const e = refusal({ name: "deep", dataset: "digits", model: { hidden: deep } });
    expect(e.code).toBe("INVALID_SPEC");
    expect(e.status).toBe(400);
    expect(e.message).toMatch(
      /^sweep "deep": hidden \[4096 × 8\] with batch_size 32, 5 folds and adam needs about \d+\.\d GB; this fleet allows 4\.0 GB per trial \(HPO_TRIAL_MEMORY_MB\)$/,
    );
    expect(e.details).toEqual([{ path: "model.hidden", message: expect.stringMatching(/^hidden \[4096 × 8\]/) }]);
    // the parameter-only part alone is 5 × 117.8 M parameters × (weights + 2 Adam slots) × 4 bytes
    const gb = Number(/about (\d+\.\d) GB/.exec(e.message)?.[1]);
    expect(gb).toBeGreaterThan((5 * 117_776_394 * 3 * 4) / 2 ** 30);
  });

  it("accepts the examples' sweeps under the default 4 GB", () => {
    for (const spec of [
      { dataset: "iris", parameters: { hidden: { values: [[16], [32, 16]] }, batch_size: { min: 8, max: 64 } } },
      { dataset: "digits", model: { hidden: [128, 64] }, parameters: { batch_size: { values: [32, 256] } } },
    ]) {
      expect(() => checkSweepMemory(parseSweepSpec(spec), WASM_HEAP_BYTES, "HPO_TRIAL_MEMORY_MB")).not.toThrow();
    }
  });

  it("checks the largest point of a sampled space: the biggest listed layout, the top of the batch range, the costliest optimizer", () => {
    const raw = {
      name: "space",
      dataset: "digits",
      parameters: {
        hidden: { values: [[64], [2048, 2048, 2048], [512]] },
        batch_size: { distribution: "int_uniform", min: 8, max: 512 },
        optimizer: { values: ["sgd", "adam", "momentum"] },
      },
    };
    const largest = largestTrial(parseSweepSpec(raw));
    // momentum: 1 slot + 4 step temporaries; adam (one HpoAdam op on wasm): 2 slots + 3
    expect(largest.params).toMatchObject({ hidden: [2048, 2048, 2048], batch_size: 512, optimizer: "momentum" });
    expect(largest.label).toBe("hidden [2048 × 3] with batch_size 512, 5 folds and momentum");
    const e = refusal(raw, 256 * 2 ** 20);
    expect(e.message).toMatch(
      /hidden \[2048 × 3\] with batch_size 512, 5 folds and momentum needs about .* allows 256 MB per trial/,
    );
    expect(e.details).toEqual([{ path: "parameters.hidden", message: expect.any(String) }]);
    // the same space without the big layout fits
    const small = { ...raw, parameters: { ...raw.parameters, hidden: { values: [[64], [512]] } } };
    expect(() => checkSweepMemory(parseSweepSpec(small), 256 * 2 ** 20, "HPO_TRIAL_MEMORY_MB")).not.toThrow();
  });

  it("says 'at least' for a CSV dataset, whose size only a worker knows", () => {
    const e = refusal({ name: "csv", dataset: { path: "big.csv" }, model: { hidden: deep } });
    expect(e.message).toMatch(/needs at least \(before its CSV data\) \d+\.\d GB/);
  });

  it("counts a checked CSV file's rows and encoded input width", () => {
    const spec = parseSweepSpec({ name: "csv", dataset: { path: "wide.csv" }, model: { hidden: [1024, 1024] } });
    // 200,000 rows whose categorical columns one-hot encode to 2,000 inputs
    const shape = { rows: 200_000, features: 2000, outputs: 2 };
    const unknown = largestTrial(spec).estimate;
    const checked = largestTrial(spec, shape).estimate;
    expect(checked.complete).toBe(true);
    const expected = estimateTrialMemory({
      model: mlpFootprint([1024, 1024], 2000, 2),
      folds: 5,
      batchSize: 32,
      optimizer: "adam",
      momentum: 0,
      earlyStopping: false,
      data: shape,
    });
    expect(checked.bytes).toBe(expected.bytes);
    // a limit between the two: accepted before the file is known, refused once it is
    const limit = (unknown.bytes + checked.bytes) / 2;
    expect(() => checkSweepMemory(spec, limit, "HPO_TRIAL_MEMORY_MB")).not.toThrow();
    expect(() => checkSweepMemory(spec, limit, "HPO_TRIAL_MEMORY_MB", shape)).toThrow(
      /hidden \[1024, 1024\] with batch_size 32, 5 folds and adam needs about \d/,
    );
  });
});
