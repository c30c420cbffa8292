import { type EpochReport, layerGradKeys, TIME_GRAD_KEYS } from "@hpo/core";

/** Thresholds of the trial flags (documented in docs/trainer.md). */
export const FLAG_THRESHOLDS = {
  /** exploding_gradients: some fold's global gradient norm above this (or not finite) at some epoch. */
  explodingGradNorm: 1e3,
  /**
   * vanishing_gradients: median over epochs of (first layer's norm / last layer's norm, mean over
   * folds) below this; or, for a recurrent net, (the gradient's norm at the first timestep / at the
   * last, mean over folds) below this at every epoch of the second half.
   */
  vanishingRatio: 1e-2,
  /** overfitting: val_loss at the last epoch above its minimum by more than this fraction… */
  overfitValLossRise: 0.05,
  /** …and at least this many epochs were trained. */
  overfitMinEpochs: 4,
} as const;

export type TrialFlag = "overfitting" | "vanishing_gradients" | "exploding_gradients" | "diverged";

function meanOf(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / Math.max(values.length, 1);
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/**
 * Diagnostic flags of a trial from its per-epoch reports (K-fold means where noted):
 * - `overfitting`: over the second half of the epochs the train loss fell and the generalization
 *   gap (val_loss − loss) grew, and the final val_loss is more than 5% above its minimum
 *   (K-fold means; at least 4 epochs).
 * - `vanishing_gradients`: the first layer's gradient norm is more than two orders of magnitude
 *   below the last layer's (median over epochs of the fold-mean ratio < 1e-2); layers are the
 *   record's `grad_norm/<name>` keys in order, or `grad_norm_l<i>` in records stored before names.
 *   Or, through time in a recurrent net (`TIME_GRAD_KEYS`), the gradient at the first timestep is
 *   more than two orders of magnitude below the one at the last at every epoch of the second half
 *   (fold means): gated cells start out forgetting and learn to carry the gradient back, some late
 *   (a GRU), a plain RNN's stays vanished. Layer norms cannot see this: a recurrent layer's weights get their
 *   gradient from the last timesteps too.
 * - `exploding_gradients`: a global gradient norm above 1e3, or not finite, in any fold and epoch.
 * `diverged` is added by the trainer when a loss is NaN or infinite.
 */
export function diagnosticFlags(curve: readonly EpochReport[]): TrialFlag[] {
  const flags: TrialFlag[] = [];
  const mean = (e: EpochReport, key: string) => meanOf(e.folds.map((f) => f[key] ?? Number.NaN));
  const E = curve.length;
  if (E >= FLAG_THRESHOLDS.overfitMinEpochs) {
    const mid = curve[Math.floor((E - 1) / 2)] as EpochReport;
    const last = curve[E - 1] as EpochReport;
    const minVal = Math.min(...curve.map((e) => mean(e, "val_loss")));
    const lossFell = mean(last, "loss") < mean(mid, "loss");
    const gapGrew = mean(last, "gap") > mean(mid, "gap");
    const valRose = mean(last, "val_loss") > minVal * (1 + FLAG_THRESHOLDS.overfitValLossRise);
    if (lossFell && gapGrew && valRose) flags.push("overfitting");
  }
  const depth = epochRatios(curve, (f) => {
    const layers = layerGradKeys(f);
    return layers.length < 2 ? undefined : [f[layers[0] as string], f[layers[layers.length - 1] as string]];
  });
  const time = epochRatios(curve.slice(Math.floor(E / 2)), (f) => [f[TIME_GRAD_KEYS.first], f[TIME_GRAD_KEYS.last]]);
  const below = (r: number) => r < FLAG_THRESHOLDS.vanishingRatio;
  if ((depth.length > 0 && below(median(depth))) || (time.length > 0 && time.every(below)))
    flags.push("vanishing_gradients");
  const exploding = curve.some((e) =>
    e.folds.some(
      (f) =>
        f.grad_norm !== undefined && (!Number.isFinite(f.grad_norm) || f.grad_norm > FLAG_THRESHOLDS.explodingGradNorm),
    ),
  );
  if (exploding) flags.push("exploding_gradients");
  return flags;
}

/**
 * Per epoch of `epochs`, the fold-mean ratio of the two norms `pair` picks from a fold record
 * (folds where it picks none or a non-finite ratio left out; epochs with none too).
 */
function epochRatios(
  epochs: readonly EpochReport[],
  pair: (f: Readonly<Record<string, number>>) => readonly (number | undefined)[] | undefined,
): number[] {
  const ratios: number[] = [];
  for (const e of epochs) {
    const perFold = e.folds
      .map((f) => {
        const [num, den] = pair(f) ?? [];
        return num !== undefined && den !== undefined && den > 0 ? num / den : undefined;
      })
      .filter((r): r is number => r !== undefined && Number.isFinite(r));
    if (perFold.length > 0) ratios.push(meanOf(perFold));
  }
  return ratios;
}
