import { HPO_VERSION } from "@hpo/core";
import { Command } from "commander";
import { cancelCommand } from "./commands/cancel.ts";
import { completionCommand } from "./commands/completion.ts";
import { demoCommand } from "./commands/demo.ts";
import { exportCommand } from "./commands/export.ts";
import { extendCommand } from "./commands/extend.ts";
import { logsCommand } from "./commands/logs.ts";
import { lsCommand } from "./commands/ls.ts";
import { predictCommand } from "./commands/predict.ts";
import { resumeCommand } from "./commands/resume.ts";
import { statusCommand } from "./commands/status.ts";
import { submitCommand } from "./commands/submit.ts";
import { upCommand } from "./commands/up.ts";
import { watchCommand } from "./commands/watch.ts";
import type { CliContext } from "./context.ts";

/** The `hpo` command tree. Errors propagate to the caller (see bin.ts for exit codes). */
export function createProgram(ctx: CliContext): Command {
  const program = new Command("hpo")
    .description("distributed hyperparameter search with K-fold cross-validation")
    .version(HPO_VERSION)
    .option("--url <url>", "coordinator URL (default: HPO_URL, .hpo/config.json, http://127.0.0.1:8080)")
    .option("--token <token>", "API token (default: HPO_TOKEN, .hpo/config.json, .hpo/token)")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();
  for (const cmd of [
    submitCommand(ctx),
    lsCommand(ctx),
    statusCommand(ctx),
    logsCommand(ctx),
    watchCommand(ctx),
    cancelCommand(ctx),
    resumeCommand(ctx),
    extendCommand(ctx),
    exportCommand(ctx),
    predictCommand(ctx),
    upCommand(ctx),
    demoCommand(ctx),
    completionCommand(ctx),
  ]) {
    program.addCommand(cmd.exitOverride().showHelpAfterError("(run with --help for usage)"));
  }
  return program;
}
