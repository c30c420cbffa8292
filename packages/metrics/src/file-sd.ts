import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

export interface FileSdTarget {
  /** The JSON file written. */
  readonly path: string;
  /** Deletes the file so Prometheus stops scraping the target. Never throws. */
  remove(): Promise<void>;
}

/**
 * Writes a Prometheus file_sd target file `${dir}/${name}.json` with one target `host:port`
 * and the given labels, atomically (temp file + rename) so Prometheus never reads half a file.
 * `name` must be a safe file name (letters, digits, `.`, `_`, `-`; other characters become `_`).
 * Creates `dir` if needed; throws the fs error if it cannot write.
 */
export async function writeFileSdTarget(
  dir: string,
  name: string,
  address: string,
  labels: Readonly<Record<string, string>> = {},
): Promise<FileSdTarget> {
  await mkdir(dir, { recursive: true });
  const safe = name.replace(/[^A-Za-z0-9._-]/g, "_");
  const path = join(dir, `${safe}.json`);
  const tmp = join(dir, `.${safe}.json.tmp`);
  await writeFile(tmp, `${JSON.stringify([{ targets: [address], labels }], null, 2)}\n`);
  await rename(tmp, path);
  return { path, remove: () => rm(path, { force: true }).catch(() => undefined) };
}
