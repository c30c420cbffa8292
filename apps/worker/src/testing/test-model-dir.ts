import { fileURLToPath } from "node:url";

/** A folder of model modules for worker tests: give it as the worker's `modelDirs` (HPO_MODEL_DIRS). */
export const TEST_MODEL_DIR = fileURLToPath(new URL("./models/", import.meta.url));

/** `model.module` of the stub model (models/stub-model.ts; its `behaviour` parameter is documented there). */
export const STUB_MODEL = "stub-model.ts";
