/** What a numeric option must be (all given rules apply). */
export interface OptionRule {
  /** A whole number. */
  readonly integer?: boolean;
  /** Not Infinity. */
  readonly finite?: boolean;
  /** At least this. */
  readonly min?: number;
  /** Greater than this. */
  readonly above?: number;
}

/**
 * `value` when it is a number (not NaN) that keeps `rule`; throws a
 * RangeError naming the class and the option otherwise, e.g.
 * `AshaPruner: reductionFactor must be a number > 1, got 1`. Exported classes call it on their
 * constructor options, so a bad option fails at once instead of looping or proposing NaN.
 */
export function checkOption(owner: string, name: string, value: number, rule: OptionRule): number {
  const ok =
    typeof value === "number" &&
    !Number.isNaN(value) &&
    (rule.integer ? Number.isInteger(value) : true) &&
    (rule.finite ? Number.isFinite(value) : true) &&
    (rule.min === undefined || value >= rule.min) &&
    (rule.above === undefined || value > rule.above);
  if (ok) return value;
  const parts = [
    rule.integer ? "an integer" : rule.finite ? "a finite number" : "a number",
    rule.min !== undefined ? `>= ${rule.min}` : undefined,
    rule.above !== undefined ? `> ${rule.above}` : undefined,
  ].filter((p) => p !== undefined);
  throw new RangeError(`${owner}: ${name} must be ${parts.join(" ")}, got ${String(value)}`);
}
