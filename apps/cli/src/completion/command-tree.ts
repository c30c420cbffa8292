import type { Command } from "commander";

/** One option of a command, as the shell completions need it. */
export interface OptionSpec {
  /** `--watch` */
  readonly long?: string;
  /** `-w` */
  readonly short?: string;
  readonly description: string;
  /** Takes a value (`--port <port>`); the value completes file names when it is named `file`. */
  readonly takesValue: boolean;
  readonly valueIsFile: boolean;
}

/** A command (the root or a subcommand) with what can follow it. */
export interface CommandSpec {
  readonly name: string;
  readonly description: string;
  readonly options: readonly OptionSpec[];
  /** Positional arguments complete file names when one is named `file`. */
  readonly argsAreFiles: boolean;
  /** The values the first argument accepts, when it has a fixed list (`.choices()`); else empty. */
  readonly argChoices: readonly string[];
  readonly subcommands: readonly CommandSpec[];
}

/**
 * The completion model of a commander program, read from its definitions through commander's
 * public Help API (the options and subcommands `--help` lists, help and version included), so
 * that the generated scripts follow every command added to program.ts with nothing to update.
 */
export function commandTree(cmd: Command): CommandSpec {
  const help = cmd.createHelp();
  return {
    name: cmd.name(),
    description: cmd.description(),
    options: help.visibleOptions(cmd).map((o) => {
      const value = /<([^>]+)>|\[([^\]]+)\]/.exec(o.flags);
      return {
        ...(o.long ? { long: o.long } : {}),
        ...(o.short ? { short: o.short } : {}),
        description: o.description,
        takesValue: Boolean(o.required || o.optional),
        valueIsFile: (value?.[1] ?? value?.[2]) === "file",
      };
    }),
    argsAreFiles: cmd.registeredArguments.some((a) => a.name() === "file"),
    argChoices: cmd.registeredArguments[0]?.argChoices ?? [],
    subcommands: help.visibleCommands(cmd).map(commandTree),
  };
}

/** Every spelling of an option (`--port`, `-p`). */
export function optionWords(o: OptionSpec): string[] {
  return [o.long, o.short].filter((w): w is string => w !== undefined);
}
