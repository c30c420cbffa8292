// The `hpo` binary: `pnpm hpo <command>` from the repo root (tsx runs this file from source).
import { CommanderError } from "commander";
import { processContext } from "./context.ts";
import { EXIT, exitCodeFor, formatError } from "./exit-code.ts";
import { createProgram } from "./program.ts";
import { drainStdio } from "./stdio-drain.ts";

// `hpo status x | head`: a closed pipe ends the command quietly, like other CLI tools.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(EXIT.OK);
    throw e;
  });
}

const ctx = processContext();
let code: number;
try {
  await createProgram(ctx).parseAsync(process.argv);
  code = typeof process.exitCode === "number" ? process.exitCode : EXIT.OK;
} catch (e) {
  if (e instanceof CommanderError) {
    // Commander already printed the message (or the help/version).
    code = e.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
  } else {
    ctx.err(formatError(e));
    code = exitCodeFor(e);
  }
}
// process.exit() does not wait for pipes: hand everything written to the OS first.
await drainStdio();
process.exit(code);
