/** Extracts per-fold and mean series of one epoch-record key from a trial's curve. */
import type { EpochReport } from "@hpo/core";

export interface KeySeries {
  readonly key: string;
  /** folds[k] = [[epoch, value], …] for fold k. */
  readonly folds: readonly (readonly [number, number])[][];
  /** Mean over the folds that reported the key at that epoch. */
  readonly mean: readonly (readonly [number, number])[];
}

export function keysOf(curve: readonly EpochReport[]): string[] {
  const keys = new Set<string>();
  for (const r of curve) for (const f of r.folds) for (const k of Object.keys(f)) keys.add(k);
  return [...keys];
}

export function keySeries(curve: readonly EpochReport[], key: string): KeySeries {
  const folds: [number, number][][] = [];
  const mean: [number, number][] = [];
  for (const r of curve) {
    let sum = 0;
    let n = 0;
    r.folds.forEach((f, k) => {
      const v = f[key];
      if (v === undefined || !Number.isFinite(v)) return;
      const arr = folds[k] ?? [];
      folds[k] = arr;
      arr.push([r.epoch, v]);
      sum += v;
      n++;
    });
    if (n > 0) mean.push([r.epoch, sum / n]);
  }
  return { key, folds, mean };
}

/** The x axis of per-epoch plots (learning curves, gradient norms): whole epochs, fitted to the data. */
export const EPOCH_AXIS = {
  type: "value",
  name: "epoch",
  nameLocation: "middle",
  nameGap: 26,
  minInterval: 1,
  min: "dataMin",
  max: "dataMax",
} as const;
