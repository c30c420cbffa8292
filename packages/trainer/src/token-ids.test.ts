import { HpoError } from "@hpo/core";
import { describe, expect, it } from "vitest";
import type { Dataset } from "./datasets/dataset.ts";
import { checkTokenIds } from "./token-ids.ts";

/** A dataset "data/tokens.csv" of `rows` (token ids, NaN for a missing cell) in columns t0, t1, t2. */
function tokens(rows: number[][], extra: Partial<Dataset> = {}): Dataset {
  return {
    name: "data/tokens.csv",
    task: "classification",
    features: Float32Array.from(rows.flat()),
    labels: new Float32Array(rows.length),
    classes: ["a", "b"],
    nRows: rows.length,
    nFeatures: 3,
    featureNames: ["t0", "t1", "t2"],
    categorical: [],
    ignored: [],
    ...extra,
  };
}

/** The HpoError `checkTokenIds` throws for `data` and `inputDim`. */
function errorOf(data: Dataset, inputDim: number): HpoError {
  try {
    checkTokenIds(data, inputDim);
  } catch (e) {
    if (e instanceof HpoError) return e;
    throw e;
  }
  throw new Error("no error");
}

describe("checkTokenIds", () => {
  it("accepts integer ids in [0, input_dim), input_dim - 1 included", () => {
    expect(() =>
      checkTokenIds(
        tokens([
          [0, 1, 49],
          [49, 0, 7],
        ]),
        50,
      ),
    ).not.toThrow();
  });

  it("refuses an id ≥ input_dim, naming the first, where, how many and the largest", () => {
    const e = errorOf(
      tokens([
        [0, 1, 2],
        [3, 50, 4],
        [73, 1, 2],
      ]),
      50,
    );
    expect(e.code).toBe("INVALID_SPEC");
    expect(e.message).toBe(
      'model.layers[0].input_dim is 50 but the data has id 50 (column "t1", row 2 of data/tokens.csv), and 1 more id ≥ 50',
    );
    expect(e.details).toEqual([{ path: "model.layers[0].input_dim", message: expect.stringMatching(/^is 50 but/) }]);
  });

  it("refuses negative, non-integer and missing cells as a data error, first one named", () => {
    for (const [cell, shown] of [
      [-1, "-1"],
      [2.5, "2.5"],
      [Number.NaN, "a missing cell"],
      [Number.POSITIVE_INFINITY, "Infinity"],
    ] as const) {
      const e = errorOf(
        tokens([
          [0, 1, 2],
          [3, 4, cell],
          [7, cell, 99],
        ]),
        10,
      );
      expect(e.code).toBe("INVALID_DATASET");
      expect(e.message).toBe(
        `model.layers[0] (embedding) reads integer token ids in [0, 10) but the data has ${shown} (column "t2", row 2 of data/tokens.csv), and 1 more such cell`,
      );
    }
  });

  it("says how many more ids are too large and the largest, or nothing for a single one", () => {
    expect(
      errorOf(
        tokens([
          [0, 60, 2],
          [51, 4, 50],
        ]),
        50,
      ).message,
    ).toMatch(/row 1 of data\/tokens\.csv\), and 2 more ids ≥ 50; the largest is 60$/);
    expect(
      errorOf(
        tokens([
          [0, 1, 2],
          [3, 4, 5],
        ]),
        5,
      ).message,
    ).toBe('model.layers[0].input_dim is 5 but the data has id 5 (column "t2", row 2 of data/tokens.csv)');
  });

  it("refuses text columns (they would be one-hot encoded, not read as ids)", () => {
    const word = { name: "word", codes: Int32Array.from([0, 1]), levels: ["cat", "dog"] };
    const e = errorOf(
      tokens(
        [
          [0, 1, 2],
          [3, 4, 5],
        ],
        { categorical: [word] },
      ),
      10,
    );
    expect(e.code).toBe("INVALID_DATASET");
    expect(e.message).toBe(
      'model.layers[0] (embedding) reads integer token ids in [0, 10) but the data has text (column "word" of data/tokens.csv): give each token as its id',
    );
  });
});
