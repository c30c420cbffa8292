#!/usr/bin/env node
// Builds the apps that run in Node — the CLI, the coordinator and the worker — from TypeScript to
// plain JavaScript with esbuild, so that production starts run no compiler (tsx stays for
// development and tests). Run by `pnpm install` (root postinstall), `pnpm build`, and `pnpm pack`
// of the CLI (prepack). Usage: node tools/build.mjs [--out dist-<name>] [cli|coordinator|worker ...]
// (default: every app, into apps/<app>/dist; tests build into a folder of their own with --out).
//
// Each app becomes apps/<app>/dist/ (or the --out folder): one ES module per entry point (main, thread bodies), with
// the workspace packages and the third-party libraries inside it, at the same depth as src/ so
// that paths relative to a module (apps/dashboard/dist, the repository root) hold for both. Thread
// bodies are flat siblings of their parent module there, as they are in src/ (`siblingModule`).
// Kept out of the bundles: the optional native tfjs backends (resolved from @hpo/trainer at run
// time) and tsx (the TypeScript loader of model modules, resolved from the repository at run
// time). The wasm backend looks for its .wasm files next to the module (`__dirname`): they are
// copied into the worker's dist/.
import { copyFileSync, mkdirSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Per app: its entry points under src/ (output: dist/<name>.js), and what else dist/ needs. */
const APPS = {
  // `hpo predict` loads TensorFlow.js with import(): a chunk of its own (splitting), so other commands start without it
  cli: { entries: ["bin.ts"], splitting: true, assets: wasmFiles },
  coordinator: {
    entries: [
      "main.ts",
      "dataset-check-thread.ts",
      "refit-thread.ts",
      "dashboard/scan-thread.ts",
      "dashboard/importance/importance-thread.ts",
    ],
    // the refit thread trains on the wasm backend too
    assets: wasmFiles,
  },
  worker: { entries: ["main.ts", "training-thread.ts"], assets: wasmFiles },
};

// CommonJS code inside an ES module bundle still calls require() and reads __dirname.
const BANNER = [
  'import { createRequire as __hpoCreateRequire } from "node:module";',
  'import { dirname as __hpoDirname } from "node:path";',
  'import { fileURLToPath as __hpoFileURLToPath } from "node:url";',
  "const require = __hpoCreateRequire(import.meta.url);",
  "const __filename = __hpoFileURLToPath(import.meta.url);",
  "const __dirname = __hpoDirname(__filename);",
].join("\n");

/** The .wasm files of @tensorflow/tfjs-backend-wasm (resolved the way the trainer resolves it). */
function wasmFiles() {
  const fromTrainer = createRequire(join(ROOT, "packages/trainer/package.json"));
  const dir = dirname(fromTrainer.resolve("@tensorflow/tfjs-backend-wasm"));
  return readdirSync(dir)
    .filter((f) => f.endsWith(".wasm"))
    .map((f) => join(dir, f));
}

async function buildApp(name, out) {
  const app = APPS[name];
  if (!app) throw new Error(`tools/build.mjs: unknown app "${name}", expected one of ${Object.keys(APPS).join(", ")}`);
  const dir = join(ROOT, "apps", name);
  const outdir = join(dir, out);
  await build({
    entryPoints: app.entries.map((e) => join(dir, "src", e)),
    outdir,
    entryNames: "[name]",
    splitting: app.splitting ?? false,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    banner: { js: BANNER },
    // tsx: loaded by a training thread only for a TypeScript model module (model-module.ts)
    external: ["@tensorflow/tfjs-node", "@tensorflow/tfjs-node-gpu", "tsx", "tsx/esm/api"],
    // Keep every module Node would run: packages whose "sideEffects" lists omit their Node builds
    // (@tensorflow/tfjs-backend-cpu registers its kernels on import) must not be dropped.
    ignoreAnnotations: true,
    sourcemap: "linked",
    logLevel: "warning",
    // express and others require() optional modules by name; those stay runtime requires.
    logOverride: { "require-resolve-not-external": "silent" },
  });
  mkdirSync(outdir, { recursive: true });
  for (const file of app.assets?.() ?? []) copyFileSync(file, join(outdir, file.split(/[\\/]/).pop()));
}

const args = process.argv.slice(2);
const outAt = args.indexOf("--out");
const out = outAt >= 0 ? args.splice(outAt, 2)[1] : "dist";
if (!out || !/^dist(-[\w-]+)?$/.test(out))
  throw new Error(`tools/build.mjs: --out must be dist or dist-<name>, got "${out}"`);
const names = args.length ? args : Object.keys(APPS);
const started = Date.now();
await Promise.all(names.map((name) => buildApp(name, out)));
console.log(`tools/build.mjs: built ${names.join(", ")} into apps/*/${out} in ${Date.now() - started} ms`);
