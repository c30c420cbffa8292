import { realpathSync, statSync } from "node:fs";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { HpoError } from "@hpo/core";

function inside(dir: string, file: string): boolean {
  const rel = relative(dir, file);
  return rel !== "" && !rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel);
}

function realOrUndefined(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/**
 * Resolves a user-given dataset path inside the configured data directories. Relative paths are
 * looked up in each directory in order; absolute paths must lie inside one. `..` segments are
 * refused outright, and the real path (symlinks resolved) must stay inside the directory's real path.
 * @throws HpoError("INVALID_DATASET") when the path escapes, is not found, or is not a file. Messages
 * name the path as given, never the data directories themselves: any API reader sees them.
 */
export function resolveDataPath(path: string, dataDirs: readonly string[]): string {
  if (path.trim() === "") throw new HpoError("INVALID_DATASET", "dataset.path is empty");
  if (path.split(/[\\/]/).includes("..")) {
    throw new HpoError("INVALID_DATASET", `dataset.path "${path}" must not contain ".." segments`);
  }
  if (dataDirs.length === 0)
    throw new HpoError("INVALID_DATASET", `dataset.path "${path}": no data directories are configured (HPO_DATA_DIRS)`);
  let escaped = false;
  for (const dir of dataDirs) {
    const realDir = realOrUndefined(dir);
    if (realDir === undefined) continue;
    const candidate = isAbsolute(path) ? path : resolve(realDir, path);
    if (isAbsolute(path) && !inside(resolve(dir), resolve(path)) && !inside(realDir, resolve(path))) continue;
    const real = realOrUndefined(candidate);
    if (real === undefined) continue;
    if (!inside(realDir, real)) {
      escaped = true;
      continue;
    }
    if (!statSync(real).isFile()) throw new HpoError("INVALID_DATASET", `dataset.path "${path}" is not a regular file`);
    return real;
  }
  if (escaped)
    throw new HpoError(
      "INVALID_DATASET",
      `dataset.path "${path}" resolves outside the data directories (symlink escape refused)`,
    );
  if (
    isAbsolute(path) &&
    !dataDirs.some((d) => inside(resolve(d), resolve(path)) || inside(realOrUndefined(d) ?? resolve(d), resolve(path)))
  ) {
    throw new HpoError(
      "INVALID_DATASET",
      `dataset.path "${path}" is outside the data directories (HPO_DATA_DIRS): give a path relative to a data directory`,
    );
  }
  throw new HpoError("INVALID_DATASET", `dataset.path "${path}" not found in the data directories (HPO_DATA_DIRS)`);
}
