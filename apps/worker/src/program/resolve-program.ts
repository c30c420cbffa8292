import { realpathSync, statSync } from "node:fs";
import { isAbsolute, join, sep } from "node:path";
import { HpoError } from "@hpo/core";

/**
 * The real path of a program, checked against the operator's HPO_PROGRAM_DIRS: an absolute path
 * must resolve (symlinks followed) inside one of `dirs`; a relative one is looked up in each dir
 * in turn. Never returns a path outside them.
 * @throws HpoError INVALID_SPEC naming the program and the allowed dirs when it is outside them,
 *   missing, or not a file.
 */
export function resolveProgram(program: string, dirs: readonly string[]): string {
  const roots = dirs.flatMap((d) => {
    try {
      return [realpathSync(d)];
    } catch {
      return []; // a configured dir that does not exist holds nothing
    }
  });
  const allowed = `HPO_PROGRAM_DIRS (${dirs.length > 0 ? dirs.join(":") : "none set"})`;
  const candidates = isAbsolute(program) ? [program] : roots.map((r) => join(r, program));
  let found = false;
  for (const candidate of candidates) {
    let real: string;
    try {
      real = realpathSync(candidate);
    } catch {
      continue;
    }
    found = true;
    if (!roots.some((r) => real.startsWith(r + sep))) continue;
    if (!statSync(real).isFile()) throw new HpoError("INVALID_SPEC", `program ${program} is not a file`);
    return real;
  }
  throw new HpoError(
    "INVALID_SPEC",
    found
      ? `program ${program} is outside the worker's ${allowed}; the operator must allow its folder`
      : `program ${program} not found${isAbsolute(program) ? "" : " in"} the worker's ${allowed}`,
  );
}
