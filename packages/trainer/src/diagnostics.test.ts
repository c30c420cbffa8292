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

  it("reads per-layer norms by layer name in layer order, and stored grad_norm_l<i> records by index", () => {
    const named = (first: number, last: number) =>
      [0, 1, 2].map((e) => ({
        ...{ loss: 1 / (e + 1), val_loss: 1.1 / (e + 1), gap: 0.1 / (e + 1), grad_norm: 1 },
        "grad_norm/conv2d_0": first,
        "grad_norm/residual_1/conv2d_0": 0.1,
        "grad_norm/output": last,
      }));
    expect(diagnosticFlags(curve(named(1e-5, 0.5)))).toEqual(["vanishing_gradients"]);
    // the same norms in the other direction: the first layer is conv2d_0 (record order), not "output"
    expect(diagnosticFlags(curve(named(0.5, 1e-5)))).toEqual([]);
    // stored before names: layer 10 is after layer 2
    const indexed = [0, 1, 2].map((e) => {
      const rec: Record<string, number> = { ...healthy(e), grad_norm_l0: 1e-5 };
      for (let l = 1; l <= 10; l++) rec[`grad_norm_l${l}`] = l === 10 ? 0.5 : 1e-6;
      return rec;
    });
    expect(diagnosticFlags(curve(indexed))).toEqual(["vanishing_gradients"]);
  });

  it("flags gradients that vanish through time in a recurrent net at every epoch of the second half", () => {
    // layer norms alike (a recurrent layer's weights get gradient from the last timesteps too)
    const rnn = (first: readonly number[]) =>
      first.map((f, e) => ({ ...healthy(e), time_grad_first: f, time_grad_last: 0.2 }));
    expect(diagnosticFlags(curve(rnn([1e-13, 1e-14, 1e-15, 1e-14])))).toEqual(["vanishing_gradients"]);
    // a gated cell: vanished at first, carried back once trained
    expect(diagnosticFlags(curve(rnn([1e-6, 1e-4, 0.05, 0.1])))).toEqual([]);
    expect(diagnosticFlags(curve(rnn([0.1, 0.1, 1e-4, 1e-4])))).toEqual(["vanishing_gradients"]);
    // one that opens only at the last epoch
    expect(diagnosticFlags(curve(rnn([1e-6, 1e-5, 1e-4, 1e-3, 0.1])))).toEqual([]);
  });

  it("flags exploding gradients on a huge or non-finite global norm", () => {
    expect(diagnosticFlags(curve([healthy(0), { ...healthy(1), grad_norm: 5e3 }]))).toEqual(["exploding_gradients"]);
    expect(diagnosticFlags(curve([{ ...healthy(0), grad_norm: Number.POSITIVE_INFINITY }]))).toEqual([
      "exploding_gradients",
    ]);
  });
});
