import type { Params, ParamValue } from "@hpo/core";

/** A metric value with 4 decimals ("0.9512"), or "-" when absent. */
export function formatScore(x: number | undefined): string {
  return x === undefined || !Number.isFinite(x) ? "-" : x.toFixed(4);
}

/** A parameter value, compact: 0.001 stays "0.001", 0.000123456 becomes "1.235e-4", lists "[128,64]". */
export function formatValue(v: ParamValue): string {
  if (Array.isArray(v)) return `[${v.map((x) => formatValue(x)).join(",")}]`;
  if (typeof v === "number") {
    if (Number.isInteger(v)) return String(v);
    const abs = Math.abs(v);
    if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) return v.toExponential(3).replace(/\.?0+e/, "e");
    return String(Number(v.toPrecision(4)));
  }
  return String(v);
}

/** `key=value` pairs separated by spaces, keys sorted, e.g. "batch_size=32 dropout=0.2 optimizer=adam". */
export function formatParams(params: Params): string {
  return Object.keys(params)
    .sort()
    .map((k) => `${k}=${formatValue(params[k] as ParamValue)}`)
    .join(" ");
}
