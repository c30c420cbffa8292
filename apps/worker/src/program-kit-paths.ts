import { fileURLToPath } from "node:url";

/**
 * Folders of @hpo/program-kit that a program's PYTHONPATH gets. This file sits directly in src/
 * so that the relative path also holds from the bundle (dist/main.js is at the same depth).
 */
export const PROGRAM_KIT_PATHS = {
  /** `import hpo` (always on PYTHONPATH). */
  python: fileURLToPath(new URL("../../../packages/program-kit/python", import.meta.url)),
  /** The `wandb` stand-in package (first on PYTHONPATH with `report: wandb`). */
  wandbStandin: fileURLToPath(new URL("../../../packages/program-kit/python/wandb-standin", import.meta.url)),
} as const;
