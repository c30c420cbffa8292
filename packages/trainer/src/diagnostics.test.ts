import type { EpochReport } from "@hpo/core";
import { describe, expect, it } from "vitest";
import { diagnosticFlags } from "./diagnostics.ts";

function curve(rows: readonly Record<string, number>[]): EpochReport[] {
  return rows.map((r, i) => ({ epoch: i + 1, folds: [r, r], value: 0 }));
}

const healthy = (e: number) => ({
  loss: 1 / (e + 1),
  val_loss: 1.1 / (e + 1),
  gap: 0.1 / (e + 1),
  grad_norm: 1,
  grad_norm_l0: 0.5,
  grad_norm_l1: 0.8,
});

describe("diagnosticFlags", () => {
  it("flags nothing on a healthy run", () => {
    expect(diagnosticFlags(curve([0, 1, 2, 3, 4, 5].map(healthy)))).toEqual([]);
  });

  it("flags overfitting when train loss falls, the gap grows and val_loss turns up", () => {
    const rows = [0.5, 0.3, 0.2, 0.12, 0.08, 0.05].map((loss, i) => {
      const val = [0.55, 0.4, 0.35, 0.37, 0.42, 0.5][i] as number;
      return { loss, val_loss: val, gap: val - loss };
    });
    expect(diagnosticFlags(curve(rows))).toEqual(["overfitting"]);
    // Same shape but validation keeps improving: not overfitting.
    const improving = rows.map((r, i) => ({ ...r, val_loss: 0.6 - 0.05 * i, gap: 0.6 - 0.05 * i - r.loss }));
    expect(diagnosticFlags(curve(improving))).toEqual([]);
  });

  it("flags vanishing gradients when the first layer's norm is orders of magnitude below the last's", () => {
    const rows = [0, 1, 2].map((e) => ({ ...healthy(e), grad_norm_l0: 1e-4, grad_norm_l1: 1e-2, grad_norm_l2: 0.5 }));
    expect(diagnosticFlags(curve(rows))).toEqual(["vanishing_gradients"]);
  });

  it("flags exploding gradients on a huge or non-finite global norm", () => {
    expect(diagnosticFlags(curve([healthy(0), { ...healthy(1), grad_norm: 5e3 }]))).toEqual(["exploding_gradients"]);
    expect(diagnosticFlags(curve([{ ...healthy(0), grad_norm: Number.POSITIVE_INFINITY }]))).toEqual([
      "exploding_gradients",
    ]);
  });
});
