/** The benchmarks' command-line arguments: `--name value` and `--flag` from argv. */

/** `--name value` from argv, as a number (fallback when absent). */
export function numArg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : Number.NaN;
  return Number.isFinite(v) ? v : fallback;
}

/** `--name value` from argv, as a string. */
export function strArg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? (process.argv[i + 1] as string) : fallback;
}

export const flag = (name: string): boolean => process.argv.includes(`--${name}`);
