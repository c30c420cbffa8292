import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkDataset } from "./check-dataset.ts";

const dir = mkdtempSync(join(tmpdir(), "hpo-check-dataset-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// age: numeric with a gap; port: 4 categories (S ×3, C ×3, Q ×2, X ×1) and a gap; y: 2 classes
writeFileSync(
  join(dir, "mixed.csv"),
  [
    "age,port,y",
    "22,S,0",
    "38,C,1",
    ",S,1",
    "35,Q,0",
    "54,C,0",
    "2,S,1",
    "27,C,1",
    "14,Q,0",
    "4,X,1",
    "58,,0",
    "",
  ].join("\n"),
);
const cv = { folds: 2, stratified: false, seed: 1 };

describe("checkDataset", () => {
  it("gives the memory estimate the encoded input width, fitted on every row", () => {
    const summary = checkDataset({ path: "mixed.csv", label: "y", task: "classification", max_categories: 2 }, cv, [
      dir,
    ]);
    // age + age (missing) + port=S, port=C + port (other: Q, X) + port (missing)
    expect(summary?.shape).toEqual({ rows: 10, features: 6, outputs: 2 });
    expect(summary?.columns).toEqual({ age: "numeric", port: "categorical" });
  });

  it("counts a regression target as one output and uncapped categories one input each", () => {
    const summary = checkDataset({ path: "mixed.csv", label: "y", task: "regression" }, cv, [dir]);
    // age + age (missing) + port=S, C, Q, X + port (missing)
    expect(summary?.shape).toEqual({ rows: 10, features: 7, outputs: 1 });
  });

  it("checks token ids for a layer list that starts with an embedding of the given input_dim", () => {
    writeFileSync(join(dir, "tokens-gap.csv"), "t0,t1,y\n1,2,a\n3,,b\n0,4,a\n2,1,b\n");
    const tokens = { path: "tokens-gap.csv", label: "y", task: "classification" } as const;
    expect(checkDataset(tokens, cv, [dir])?.rows).toBe(4);
    expect(() => checkDataset(tokens, cv, [dir], 10)).toThrow(
      'model.layers[0] (embedding) reads integer token ids in [0, 10) but the data has a missing cell (column "t1", row 2 of tokens-gap.csv)',
    );
  });
});
