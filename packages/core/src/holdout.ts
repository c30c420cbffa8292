import { HpoError } from "./errors.ts";
import { createRng, mixSeed, shuffled } from "./rng.ts";

/** Rows kept for a use (the pool) and rows held out from it, both sorted ascending. */
export interface HoldOut {
  readonly kept: readonly number[];
  readonly heldOut: readonly number[];
}

/**
 * Holds out `fraction` of `rows` (row indices), shuffled with `seed` (mixed with `purpose`, so the
 * test split and an inner validation split drawn with the same seed differ). With `labels`
 * (indexed by row) the hold-out is stratified: each class gives round(count · fraction) of its
 * rows, at least one when it has two or more, never all of them. Without labels
 * round(n · fraction) rows, at least one, never all. A pure function: the same rows, fraction,
 * seed and purpose give the same split on any machine.
 * @throws HpoError INVALID_DATASET when fewer than two rows are given, or `fraction` is not in (0, 1).
 */
export function holdOut(
  rows: readonly number[],
  fraction: number,
  seed: number,
  purpose: "test" | "inner" | string,
  labels?: ArrayLike<number>,
): HoldOut {
  if (!(fraction > 0 && fraction < 1))
    throw new HpoError("INVALID_DATASET", `${purpose} split: fraction must be in (0, 1), got ${fraction}`);
  if (rows.length < 2)
    throw new HpoError("INVALID_DATASET", `${purpose} split: needs at least 2 rows, got ${rows.length}`);
  const rng = createRng(mixSeed(seed, purpose));
  const groups = new Map<number, number[]>();
  for (const r of rows) {
    const key = labels ? (labels[r] as number) : 0;
    const group = groups.get(key) ?? [];
    group.push(r);
    groups.set(key, group);
  }
  const heldOut: number[] = [];
  for (const key of [...groups.keys()].sort((a, b) => a - b)) {
    const group = groups.get(key) as number[];
    const take = Math.min(group.length - 1, Math.max(group.length >= 2 ? 1 : 0, Math.round(group.length * fraction)));
    heldOut.push(...shuffled(group, rng).slice(0, take));
  }
  heldOut.sort((a, b) => a - b);
  const out = new Set(heldOut);
  return { kept: rows.filter((r) => !out.has(r)), heldOut };
}
