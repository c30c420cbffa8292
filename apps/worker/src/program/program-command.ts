// biome-ignore-all lint/suspicious/noTemplateCurlyInString: W&B command macros are literal text, not templates
import { extname } from "node:path";
import type { NestedParams, Params, ParamValue } from "@hpo/core";

/**
 * Expands a program's W&B `command` template into an argv (never a shell command line).
 * Macros (W&B's agent):
 * - `${env}`: nothing (W&B's `/usr/bin/env`; spawn looks the interpreter up in PATH itself);
 * - `${interpreter}`: by extension, `.py` python3, `.js`/`.mjs` node, `.ts` tsx; nothing for
 *   anything else (the program is executed directly);
 * - `${program}`: the program's real path;
 * - `${args}`: `--name=value` per parameter (nested ones dotted: `--optimizer.lr=0.01`);
 * - `${args_no_hyphens}`: `name=value`; `${args_json}`: the nested parameters as one JSON item;
 * - `${args_json_file}`: the path of a file holding that JSON.
 * An item that is exactly `${args}` or `${args_no_hyphens}` expands to one item per parameter; a
 * macro inside other text expands to text (those lists joined by spaces). Values: strings as
 * they are, booleans `True`/`False` (as W&B's Python agent prints them), numbers in JS notation,
 * lists as `[1, 2]`.
 */
export interface CommandContext {
  readonly program: string;
  readonly params: Params;
  /** The params as the program gets them in JSON (nested parameters nested: nestParams). */
  readonly nested: NestedParams;
  /** Path of the `${args_json_file}` file (written by the caller when `usesArgsJsonFile`). */
  readonly argsJsonFile: string;
}

/** The interpreter of a program by its extension, or undefined (executed directly). */
export function interpreterOf(program: string): string | undefined {
  switch (extname(program).toLowerCase()) {
    case ".py":
      return "python3";
    case ".js":
    case ".mjs":
      return "node";
    case ".ts":
      return "tsx";
    default:
      return undefined;
  }
}

/** A parameter value as one argv string. */
export function argValue(v: ParamValue): string {
  if (typeof v === "boolean") return v ? "True" : "False";
  if (Array.isArray(v)) return `[${v.join(", ")}]`;
  return String(v);
}

/** Whether the template needs the `${args_json_file}` file. */
export function usesArgsJsonFile(command: readonly string[]): boolean {
  return command.some((item) => item.includes("${args_json_file}"));
}

export function expandCommand(command: readonly string[], ctx: CommandContext): string[] {
  const entries = Object.entries(ctx.params);
  const lists: Record<string, string[]> = {
    "${env}": [],
    "${interpreter}": [interpreterOf(ctx.program)].filter((x): x is string => x !== undefined),
    "${program}": [ctx.program],
    "${args}": entries.map(([k, v]) => `--${k}=${argValue(v)}`),
    "${args_no_hyphens}": entries.map(([k, v]) => `${k}=${argValue(v)}`),
    "${args_json}": [JSON.stringify(ctx.nested)],
    "${args_json_file}": [ctx.argsJsonFile],
  };
  const argv: string[] = [];
  for (const item of command) {
    const whole = lists[item];
    if (whole) argv.push(...whole);
    else argv.push(item.replace(/\$\{[a-z_]+\}/g, (m) => lists[m]?.join(" ") ?? m));
  }
  return argv;
}
