import { resolveAllowedPath } from "../allowed-path.ts";

/**
 * Resolves a user-given dataset path inside the configured data directories (HPO_DATA_DIRS); see
 * `resolveAllowedPath` for the rules.
 * @throws HpoError("INVALID_DATASET") when the path escapes, is not found, or is not a file.
 */
export function resolveDataPath(path: string, dataDirs: readonly string[]): string {
  return resolveAllowedPath(path, dataDirs, {
    field: "dataset.path",
    env: "HPO_DATA_DIRS",
    dir: "data directory",
    dirs: "data directories",
    code: "INVALID_DATASET",
  });
}
