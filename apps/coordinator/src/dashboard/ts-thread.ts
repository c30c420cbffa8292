/**
 * Source of a worker thread that runs a TypeScript module of this app. The coordinator runs
 * TypeScript from source, so the thread registers tsx before importing the module; a failure to
 * start is posted as `{ id: -1, error }`. Undefined when tsx cannot be found (a bundled build):
 * callers then do the work on the main thread.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

export function tsThreadCode(target: URL): string | undefined {
  try {
    const req = createRequire(import.meta.url);
    const api = join(dirname(req.resolve("tsx/package.json")), "dist/esm/api/index.mjs");
    return `(async () => { const { register } = await import(${JSON.stringify(pathToFileURL(api).href)}); register(); await import(${JSON.stringify(target.href)}); })().catch((e) => { require("node:worker_threads").parentPort.postMessage({ id: -1, error: String(e) }); });`;
  } catch {
    return undefined;
  }
}
