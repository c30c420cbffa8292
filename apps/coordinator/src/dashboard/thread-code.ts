/**
 * Source of a worker thread (`new Worker(code, { eval: true })`) that runs the module `name` next
 * to the caller (`callerUrl`: its import.meta.url; see `siblingModule`). Built (dist/), the thread
 * imports the .js module; from source, it registers tsx first, then imports the .ts module. A
 * failure to start is posted as `{ id: -1, error }`. Undefined when running from source and tsx
 * cannot be found: callers then do the work on the main thread.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { isSourceModule, siblingModule } from "@hpo/core";

export function threadCode(callerUrl: string, name: string): string | undefined {
  const target = JSON.stringify(siblingModule(callerUrl, name).href);
  const onError = `.catch((e) => { require("node:worker_threads").parentPort.postMessage({ id: -1, error: String(e) }); });`;
  if (!isSourceModule(callerUrl)) return `import(${target})${onError}`;
  try {
    const req = createRequire(import.meta.url);
    const api = join(dirname(req.resolve("tsx/package.json")), "dist/esm/api/index.mjs");
    return `(async () => { const { register } = await import(${JSON.stringify(pathToFileURL(api).href)}); register(); await import(${target}); })()${onError}`;
  } catch {
    return undefined;
  }
}
