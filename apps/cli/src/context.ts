import type { Command } from "commander";
import { ApiClient } from "./api-client.ts";
import { type CliConfig, resolveConfig } from "./config.ts";

/** Everything a command touches outside itself; `bin.ts` builds the real one, tests may fake it. */
export interface CliContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Writes a line (a newline is added) to stdout: results meant for pipes and scripts. */
  out(line: string): void;
  /** Writes a line to stderr: progress, hints, logs. */
  err(line: string): void;
  /** Raw stderr writer for the live progress line (no newline added). */
  errRaw(text: string): void;
  /** True when stderr is a terminal (live progress line, colours). */
  readonly interactive: boolean;
  /** Width of the stderr terminal in columns (the live line is cut to fit); 80 when unknown. */
  columns(): number;
}

/** The real context of the process. */
export function processContext(): CliContext {
  return {
    env: process.env,
    cwd: process.cwd(),
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    errRaw: (text) => process.stderr.write(text),
    interactive: Boolean(process.stderr.isTTY) && process.env.TERM !== "dumb",
    columns: () => process.stderr.columns || 80,
  };
}

/** Resolves the configuration from the command's global flags (`--url`, `--token`), env and files. */
export function configFor(ctx: CliContext, cmd: Command): CliConfig {
  const opts = cmd.optsWithGlobals<{ url?: string; token?: string }>();
  return resolveConfig({ flags: { url: opts.url, token: opts.token }, env: ctx.env, cwd: ctx.cwd });
}

/** An API client configured for this command. */
export function clientFor(ctx: CliContext, cmd: Command): ApiClient {
  const config = configFor(ctx, cmd);
  return new ApiClient({ url: config.url, token: config.token });
}
