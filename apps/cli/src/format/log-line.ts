import { printable } from "./printable.ts";

const LEVELS: Readonly<Record<number, string>> = {
  10: "trace",
  20: "debug",
  30: "info",
  40: "warn",
  50: "error",
  60: "fatal",
};
const OMIT = new Set(["level", "time", "msg", "pid", "hostname", "name"]);
const COLORS = [36, 35, 33, 32, 34, 91, 92, 93, 94, 95, 96];

/** A log line parsed from a child: its pino level number when it is pino JSON (else undefined). */
export interface ParsedLogLine {
  readonly level?: number;
  readonly text: string;
}

/**
 * Turns a pino JSON line into `HH:MM:SS level msg key=value ...`; other lines are kept as they are.
 * Control and format characters are escaped (`printable`): a value holding `\n` or ESC cannot
 * forge a line or drive the terminal.
 */
export function parseLogLine(line: string): ParsedLogLine {
  const parsed = parseLine(line);
  return { ...parsed, text: printable(parsed.text) };
}

function parseLine(line: string): ParsedLogLine {
  if (!line.startsWith("{")) return { text: line };
  let obj: Record<string, unknown>;
  try {
    obj = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return { text: line };
  }
  if (typeof obj.level !== "number") return { text: line };
  const time = typeof obj.time === "number" ? new Date(obj.time).toISOString().slice(11, 19) : "";
  const extras = Object.entries(obj)
    .filter(([k]) => !OMIT.has(k))
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(" ");
  const level = LEVELS[obj.level] ?? String(obj.level);
  const msg = typeof obj.msg === "string" ? obj.msg : "";
  return { level: obj.level, text: [time, level.padEnd(5), msg, extras].filter(Boolean).join(" ") };
}

/** `[worker-1] text`, the name coloured (stable colour per name) when `color` is true. */
export function prefixLine(name: string, text: string, color: boolean, width = 12): string {
  const label = `[${name}]`.padEnd(width);
  if (!color) return `${label} ${text}`;
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return `\x1b[${COLORS[h % COLORS.length]}m${label}\x1b[0m ${text}`;
}
