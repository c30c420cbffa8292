/**
 * The order of class labels, shared by the CSV loader (class ids) and `kFoldSplit` (the order in
 * which classes are dealt over the folds). It is defined without locale rules so that a user's
 * program reproduces it in any language (packages/program-kit's Python and JS helpers do):
 * labels that are numbers or read as numbers come first, by value; the other labels follow in
 * UTF-16 code-unit order (JavaScript's default string order). Equal values keep their order.
 */

/** A number as text: optional sign, digits with an optional point, optional exponent; or ±inf/Infinity (any case). */
const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(Infinity|inf)$/i;

/** The number `text` reads as (surrounding whitespace ignored), or undefined when it is not a number. */
export function numberInText(text: string): number | undefined {
  const t = text.trim();
  if (!NUMERIC.test(t)) return undefined;
  if (/inf/i.test(t)) return t.startsWith("-") ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  return Number(t);
}

/** A label's numeric value: the number itself, or what a string reads as; undefined for other text. */
function labelValue(label: number | string): number | undefined {
  return typeof label === "number" ? label : numberInText(label);
}

/** Compares two class labels in hpo's class order (see the file header); 0 for equal values. */
export function compareClassLabels(a: number | string, b: number | string): number {
  const x = labelValue(a);
  const y = labelValue(b);
  if (x !== undefined && y !== undefined) return x < y ? -1 : x > y ? 1 : 0;
  if (x !== undefined) return -1;
  if (y !== undefined) return 1;
  const s = String(a);
  const t = String(b);
  return s < t ? -1 : s > t ? 1 : 0;
}
