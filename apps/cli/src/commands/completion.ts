import { Argument, Command } from "commander";
import { bashCompletion } from "../completion/bash.ts";
import { commandTree } from "../completion/command-tree.ts";
import { fishCompletion } from "../completion/fish.ts";
import { zshCompletion } from "../completion/zsh.ts";
import type { CliContext } from "../context.ts";

const SHELLS = { bash: bashCompletion, zsh: zshCompletion, fish: fishCompletion } as const;

/**
 * `hpo completion bash|zsh|fish`: prints a completion script generated from the command
 * definitions of the program this command belongs to (commands, options, file arguments).
 */
export function completionCommand(ctx: CliContext): Command {
  return new Command("completion")
    .description("print a shell completion script: source <(hpo completion bash), or zsh, or fish")
    .addArgument(new Argument("<shell>", "bash, zsh or fish").choices(Object.keys(SHELLS)))
    .action((shell: keyof typeof SHELLS, _opts: unknown, cmd: Command) => {
      const root = cmd.parent ?? cmd;
      ctx.out(SHELLS[shell](commandTree(root)).trimEnd());
    });
}
