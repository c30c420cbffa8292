#!/usr/bin/env node
// The `hpo` command: runs the CLI as built by tools/build.mjs (apps/cli/dist/bin.js), which
// `pnpm install` writes. From source, for development: `pnpm hpo:dev …` (tsx).
import("../dist/bin.js").catch((e) => {
  if (e?.code === "ERR_MODULE_NOT_FOUND" && String(e.message).includes("dist/bin.js")) {
    process.stderr.write("hpo: the CLI is not built (apps/cli/dist/bin.js is missing): run `pnpm build`\n");
    process.exit(1);
  }
  throw e;
});
