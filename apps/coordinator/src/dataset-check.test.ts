import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HpoError, parseSweepSpec } from "@hpo/core";
import { afterAll, describe, expect, it } from "vitest";
import { createDatasetChecker } from "./dataset-check.ts";

const dir = mkdtempSync(join(tmpdir(), "hpo-dataset-check-"));
// token ids in 0..4, except row 7's t1: 73
const lines = ["t0,t1,label"];
for (let i = 0; i < 20; i++) lines.push(`${i % 5},${i === 6 ? 73 : (i + 2) % 5},${i % 2 ? "yes" : "no"}`);
writeFileSync(join(dir, "tokens.csv"), `${lines.join("\n")}\n`);
const checker = createDatasetChecker([dir]);
afterAll(async () => {
  await checker.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A sweep on tokens.csv whose layer list starts with an embedding of `inputDim` (a number or a parameter's values). */
function sweep(inputDim: number | number[]) {
  const swept = Array.isArray(inputDim);
  return parseSweepSpec({
    name: "tokens",
    method: "random",
    dataset: { path: "tokens.csv", task: "classification" },
    cv: { folds: 2 },
    model: {
      layers: [
        { type: "embedding", input_dim: swept ? { param: "vocab" } : inputDim, output_dim: 4 },
        { type: "gru", units: 4 },
      ],
    },
    parameters: {
      learning_rate: { value: 0.01 },
      ...(swept && { vocab: { values: inputDim } }),
    },
  });
}

describe("createDatasetChecker: a layer list that starts with an embedding", () => {
  it("refuses at submit ids ≥ input_dim, naming model.layers[0].input_dim and the cell", async () => {
    for (const dim of [50, [50, 100]]) {
      const e = await checker.check(sweep(dim)).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(HpoError);
      const problem = 'is 50 but the data has id 73 (column "t1", row 7 of tokens.csv)';
      expect((e as HpoError).code).toBe("INVALID_SPEC");
      expect((e as HpoError).message).toBe(`sweep "tokens": model.layers[0].input_dim ${problem}`);
      expect((e as HpoError).details).toEqual([{ path: "model.layers[0].input_dim", message: problem }]);
    }
  });

  it("accepts the sweep when every input_dim it can take is above the largest id", async () => {
    expect((await checker.check(sweep(74)))?.rows).toBe(20);
    expect((await checker.check(sweep([74, 100])))?.rows).toBe(20);
  });
});
