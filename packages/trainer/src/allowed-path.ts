import { realpathSync, statSync } from "node:fs";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { type ErrorCode, HpoError } from "@hpo/core";

/**
 * The one home of "resolve a user-named path inside directories the worker's operator allowed":
 * CSV datasets (`dataset.path`, HPO_DATA_DIRS) and model modules (`model.module`, HPO_MODEL_DIRS)
 * go through `resolveAllowedPath`. This file imports no tfjs.
 */

/** What kind of path is resolved: how messages name it and its directories. */
export interface AllowedPathKind {
  /** The sweep field, e.g. "dataset.path". */
  readonly field: string;
  /** The environment variable listing the directories, e.g. "HPO_DATA_DIRS". */
  readonly env: string;
  /** One directory in words, e.g. "data directory". */
  readonly dir: string;
  /** Several, e.g. "data directories". */
  readonly dirs: string;
  /** Code of the HpoError thrown. */
  readonly code: ErrorCode;
}

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
 * Resolves a user-given path inside the allowed directories `dirs`. Relative paths are looked up
 * in each directory in order; absolute paths must lie inside one. `..` segments are refused
 * outright, and the real path (symlinks resolved) must stay inside the directory's real path.
 * Returns the real path of a regular file.
 * @throws HpoError(kind.code) when the path escapes, is not found, or is not a file. Messages
 * name the path as given, never the directories themselves: any API reader sees them.
 */
export function resolveAllowedPath(path: string, dirs: readonly string[], kind: AllowedPathKind): string {
  const { field, env, dir: one, dirs: many } = kind;
  const fail = (message: string): never => {
    throw new HpoError(kind.code, message);
  };
  if (path.trim() === "") fail(`${field} is empty`);
  if (path.split(/[\\/]/).includes("..")) fail(`${field} "${path}" must not contain ".." segments`);
  if (dirs.length === 0) fail(`${field} "${path}": no ${many} are configured (${env})`);
  let escaped = false;
  for (const dir of dirs) {
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
    if (!statSync(real).isFile()) fail(`${field} "${path}" is not a regular file`);
    return real;
  }
  if (escaped) fail(`${field} "${path}" resolves outside the ${many} (symlink escape refused)`);
  if (
    isAbsolute(path) &&
    !dirs.some((d) => inside(resolve(d), resolve(path)) || inside(realOrUndefined(d) ?? resolve(d), resolve(path)))
  ) {
    fail(`${field} "${path}" is outside the ${many} (${env}): give a path relative to a ${one}`);
  }
  return fail(`${field} "${path}" not found in the ${many} (${env})`);
}
