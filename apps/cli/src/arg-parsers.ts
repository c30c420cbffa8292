import { InvalidArgumentError } from "commander";

/** Commander parser for positive integers; throws InvalidArgumentError (exit code 2). */
export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`expected a positive integer, got "${value}"`);
  return n;
}

/** Commander parser for TCP ports 1..65535; throws InvalidArgumentError (exit code 2). */
export function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65_535) {
    throw new InvalidArgumentError(`expected a port number 1..65535, got "${value}"`);
  }
  return n;
}
