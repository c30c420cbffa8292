import { createRequire } from "node:module";
import { dirname } from "node:path";

let entry: string | undefined;

/**
 * The @hpo/trainer package's entry file (src/index.ts), found through module resolution: the
 * package's self-reference from source, the app's dependency once tools/build.mjs has bundled this
 * code into apps/worker/dist/. Its datasets and its optional peers (tfjs-node) live beside it,
 * wherever the running module is. Throws when @hpo/trainer cannot be resolved.
 */
function trainerEntry(): string {
  entry ??= createRequire(import.meta.url).resolve("@hpo/trainer");
  return entry;
}

/** `require` resolving from the @hpo/trainer package (its dependencies and optional peers). */
export function requireFromTrainer(): NodeJS.Require {
  return createRequire(trainerEntry());
}

/** The @hpo/trainer package folder (holds `datasets/`). */
export function trainerPackageDir(): string {
  return dirname(dirname(trainerEntry()));
}
