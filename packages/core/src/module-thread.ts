/**
 * The one way hpo starts a worker thread on one of its own modules, built or from source.
 *
 * Built (tools/build.mjs writes each thread body as `name.js` next to the bundle that starts it),
 * the thread runs that file. From source (tsx, vitest), Node 20 does not apply the parent's tsx
 * loader to worker threads, so the thread first registers tsx's ESM loader, then imports
 * `name.ts`. A body that fails to load makes the thread emit `error` and exit, like any body
 * that throws: callers handle both on the Worker.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker, type WorkerOptions } from "node:worker_threads";
import { isSourceModule, siblingModule } from "./sibling-module.ts";

/** Thrown by `startModuleThread` when running from source and tsx cannot be found. */
export class ThreadStartError extends Error {}

/**
 * Starts a worker thread running the module `name` (no extension) in the folder of the calling
 * module (`callerUrl`: its `import.meta.url`; see `siblingModule`). `options` go to the Worker
 * (`workerData`, `name`, `resourceLimits`, ...). Throws ThreadStartError when the caller runs from
 * source and tsx cannot be resolved.
 */
export function startModuleThread(callerUrl: string, name: string, options: Omit<WorkerOptions, "eval"> = {}): Worker {
  const target = siblingModule(callerUrl, name);
  if (!isSourceModule(callerUrl)) return new Worker(target, options);
  return new Worker(
    `(async () => {
      const { register } = await import(${JSON.stringify(tsxApiUrl())});
      register();
      await import(${JSON.stringify(target.href)});
    })();`,
    { ...options, eval: true },
  );
}

let tsxApi: string | undefined;
/** URL of tsx's ESM register API, resolved once. */
function tsxApiUrl(): string {
  if (tsxApi) return tsxApi;
  try {
    const req = createRequire(import.meta.url);
    tsxApi = pathToFileURL(join(dirname(req.resolve("tsx/package.json")), "dist/esm/api/index.mjs")).href;
    return tsxApi;
  } catch (e) {
    throw new ThreadStartError(
      `cannot start a worker thread from TypeScript source: tsx is not installed (${e instanceof Error ? e.message : e})`,
    );
  }
}
