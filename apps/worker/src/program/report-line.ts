/**
 * The report line protocol of program trials (docs/CONTRACTS.md, "Program trials"): one JSON
 * object per stdout line, `{"hpo": {"step": 3, "val_accuracy": 0.91, "loss": 0.2}}`. `step` is a
 * non-negative integer; every other key is a metric name with a finite number. Any other line is
 * program output for the trial log.
 */
export interface ReportLine {
  readonly step: number;
  readonly metrics: Readonly<Record<string, number>>;
}

/** What a stdout line is: a report, output for the log, or a report line that is malformed. */
export type ParsedLine =
  | { readonly kind: "report"; readonly report: ReportLine }
  | { readonly kind: "output" }
  | { readonly kind: "invalid"; readonly reason: string };

const OUTPUT: ParsedLine = { kind: "output" };

/** Parses one stdout line (without its newline). Lines not starting with `{"hpo"` are output. */
export function parseReportLine(line: string): ParsedLine {
  const text = line.trim();
  if (!/^\{\s*"hpo"\s*:/.test(text)) return OUTPUT;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { kind: "invalid", reason: "is not valid JSON" };
  }
  const body = (parsed as { hpo?: unknown }).hpo;
  if (body === null || typeof body !== "object" || Array.isArray(body))
    return { kind: "invalid", reason: '"hpo" must hold an object such as {"step": 3, "val_loss": 0.2}' };
  const { step, ...rest } = body as Record<string, unknown>;
  if (typeof step !== "number" || !Number.isInteger(step) || step < 0)
    return { kind: "invalid", reason: `"step" must be a non-negative integer, got ${JSON.stringify(step)}` };
  const metrics: Record<string, number> = {};
  for (const [name, value] of Object.entries(rest)) {
    if (typeof value !== "number" || !Number.isFinite(value))
      return { kind: "invalid", reason: `"${name}" must be a finite number, got ${JSON.stringify(value)}` };
    metrics[name] = value;
  }
  return { kind: "report", report: { step, metrics } };
}
