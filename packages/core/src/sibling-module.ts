/**
 * True when `moduleUrl` (an `import.meta.url`) is a TypeScript source file, run through tsx or
 * vitest; false for the JavaScript that tools/build.mjs writes to an app's `dist/`.
 */
export function isSourceModule(moduleUrl: string): boolean {
  return new URL(moduleUrl).pathname.endsWith(".ts");
}

/**
 * URL of the module `name` (no extension) in the folder of the calling module, given the caller's
 * `import.meta.url`: `name.ts` when the caller runs from source, `name.js` when it runs from a
 * build (tools/build.mjs writes thread bodies next to the bundle that starts them). Used to start
 * worker threads in both layouts.
 */
export function siblingModule(callerUrl: string, name: string): URL {
  return new URL(`./${name}${isSourceModule(callerUrl) ? ".ts" : ".js"}`, callerUrl);
}
