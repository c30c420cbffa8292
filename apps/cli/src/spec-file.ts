import { existsSync, readFileSync } from "node:fs";
import { dirname, extname, isAbsolute, resolve } from "node:path";
import { checkSweepSpec, HpoError, type Issue, type SweepSpec } from "@hpo/core";
import { parse as parseYaml } from "yaml";

/** A sweep file read from disk: its text (sent to the API as is) and its validated spec. */
export interface SweepFile {
  readonly path: string;
  readonly text: string;
  /** "json" for `.json` files, else "yaml" (a superset of JSON). */
  readonly format: "json" | "yaml";
  readonly spec: SweepSpec;
  /** Keys hpo accepts but ignores or reads differently from W&B (see `checkSweepSpec`). */
  readonly warnings: readonly Issue[];
}

/**
 * Reads a sweep file and validates it with the same `checkSweepSpec` the coordinator uses, so the
 * user gets the same messages (with field paths) before anything is submitted. A relative
 * `program` is resolved against the sweep file's folder (as W&B's agent runs it from there): the
 * text sent is then the file as JSON with the absolute path (workers check it against their
 * HPO_PROGRAM_DIRS). So is a relative `model.module` that names a file next to the sweep file
 * (workers check it against their HPO_MODEL_DIRS); one that names no file there is sent as
 * written, for the workers to look up in their model directories.
 * Throws HpoError INVALID_REQUEST when the file cannot be read, INVALID_SPEC (with
 * `details: Issue[]`) when it is not valid YAML/JSON or not a valid sweep.
 */
export function readSweepFile(path: string): SweepFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : (e as Error).message;
    throw new HpoError("INVALID_REQUEST", `sweep file ${path}: cannot read: ${why}`);
  }
  const format = extname(path).toLowerCase() === ".json" ? "json" : "yaml";
  try {
    const { spec, warnings } = checkSweepSpec(text, { format });
    const program =
      spec.program !== undefined && !isAbsolute(spec.program) ? resolve(dirname(path), spec.program) : undefined;
    const module = spec.model.module;
    const local = module !== undefined && !isAbsolute(module) ? resolve(dirname(path), module) : undefined;
    const moduleHere = local !== undefined && existsSync(local) ? local : undefined;
    if (program === undefined && moduleHere === undefined) return { path, text, format, spec, warnings };
    const doc = parseYaml(text) as Record<string, unknown>;
    const json = JSON.stringify({
      ...doc,
      ...(program !== undefined && { program }),
      ...(moduleHere !== undefined && { model: { ...(doc.model as Record<string, unknown>), module: moduleHere } }),
    });
    return { path, text: json, format: "json", ...checkSweepSpec(json, { format: "json" }) };
  } catch (e) {
    if (e instanceof HpoError) throw new HpoError(e.code, `${path}: ${e.message}`, e.details);
    throw e;
  }
}

/** One line per warning: `<file>: warning: project is ignored: …`. */
export function formatWarnings(file: SweepFile): string[] {
  return file.warnings.map((w) => `${file.path}: warning: ${w.path ? `${w.path} ` : ""}${w.message}`);
}
