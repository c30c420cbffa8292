import type { ParamValue } from "@hpo/core";

/** Formats a score with 4 significant digits; "—" when absent. */
export function fmtScore(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return "—";
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2);
  return v.toPrecision(4);
}

/** "mean ± std" with the spread at 2 significant digits. */
export function fmtMeanStd(mean: number | undefined, std: number | undefined): string {
  if (mean === undefined || !Number.isFinite(mean)) return "—";
  if (std === undefined || !Number.isFinite(std)) return fmtScore(mean);
  const s =
    std === 0
      ? "0"
      : Math.abs(std) < 1e-3 || Math.abs(std) >= 1e5
        ? std.toExponential(1)
        : String(Number(std.toPrecision(2)));
  return `${fmtScore(mean)} ± ${s}`;
}

/** A small spread (std, sem) at 2 significant digits. */
/** A confidence interval "[0.9626, 0.9862]" (fmtScore's digits), or "—" without one. */
export function fmtInterval(low: number | undefined, high: number | undefined): string {
  return low === undefined || high === undefined ? "—" : `[${fmtScore(low)}, ${fmtScore(high)}]`;
}

/** A p-value at 2 significant digits ("0.63", "0.00012"), or "—". */
export function fmtPValue(p: number | undefined): string {
  return p === undefined || !Number.isFinite(p) ? "—" : String(Number(p.toPrecision(2)));
}

export function fmtSpread(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return "—";
  if (v === 0) return "0";
  return Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5 ? v.toExponential(1) : String(Number(v.toPrecision(2)));
}

export function fmtParam(v: ParamValue | undefined): string {
  if (v === undefined) return "—";
  if (Array.isArray(v)) return `[${v.join(",")}]`;
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : fmtScore(v);
  return String(v);
}

export function fmtDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return "—";
  const s = ms / 1000;
  if (s < 1) return `${Math.round(ms)} ms`;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${Math.floor(s % 60)}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

export function fmtTime(ms: number | undefined): string {
  if (ms === undefined) return "—";
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function fmtInt(n: number): string {
  return n.toLocaleString("en-US");
}
