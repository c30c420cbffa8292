/**
 * Per-layer gradient norms in epoch records (one home for the key format). A trainer reports
 * `grad_norm` (global) and `grad_norm/<layer>` per parameterized layer, in layer order, where
 * `<layer>` is the layer's stable name (`conv2d_0`, `residual_3/dense_1`, `output`, or a model
 * module's tf.LayersModel layer name). Records stored before names existed hold `grad_norm_l<i>`
 * (layer i, from 0); both are read here.
 */

const NAMED = "grad_norm/";
const INDEXED = /^grad_norm_l(\d+)$/;

/** The epoch-record key of the gradient norm of the layer named `layer`. */
export function gradNormKey(layer: string): string {
  return `${NAMED}${layer}`;
}

/** The layer a per-layer key names (`grad_norm/conv2d_0` → `conv2d_0`, `grad_norm_l0` → `layer 1`), else undefined. */
export function gradNormLayer(key: string): string | undefined {
  if (key.startsWith(NAMED) && key.length > NAMED.length) return key.slice(NAMED.length);
  const m = INDEXED.exec(key);
  return m ? `layer ${Number(m[1]) + 1}` : undefined;
}

/** The per-layer gradient-norm keys of one record, first layer first. */
export function layerGradKeys(record: Readonly<Record<string, number>>): string[] {
  const keys = Object.keys(record);
  const named = keys.filter((k) => k.startsWith(NAMED) && k.length > NAMED.length);
  if (named.length > 0) return named;
  return keys
    .filter((k) => INDEXED.test(k))
    .sort((a, b) => Number(INDEXED.exec(a)?.[1]) - Number(INDEXED.exec(b)?.[1]));
}

/**
 * Through-time gradient norms of a recurrent net, in epoch records: the norm of the loss gradient
 * at the first recurrent layer's input sequence, at its first and at its last timestep (the
 * epoch's first mini-batch). Their ratio is how much of the gradient reaches back through time.
 */
export const TIME_GRAD_KEYS = { first: "time_grad_first", last: "time_grad_last" } as const;
