#!/usr/bin/env node
// Lists the files under a package's or an app's src/ (outside testing/) that only tests use: test
// support belongs in a testing/ folder (exported as `./testing`), not beside production code.
// Usage: node tools/test-only-modules.mjs — prints one line per such file and exits 1 when there
// are any, 0 when there are none.
//
// A file is test-only when something imports it and every importer is a test: a `*.test.ts`, a
// file in a testing/ folder, a file under the top-level test/, or a file already found test-only.
// A file that a package entry (`exports` in its package.json, e.g. src/index.ts) re-exports is
// used by production code when production code outside the file's own package imports one of its
// exported names from that package, or a production file imports it directly. Files imported by
// nothing (entry points, thread bodies started by path) are not reported.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const SKIP = new Set(["node_modules", "dist", ".turbo", ".git"]);

function walk(dir, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(e.name) || e.name.startsWith("dist-")) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (/\.(ts|tsx|mts|mjs)$/.test(e.name) && !e.name.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

/** The workspace packages: name → { dir, entries: export subpath → file }. */
const packages = new Map();
for (const group of ["apps", "packages"]) {
  for (const name of readdirSync(join(ROOT, group))) {
    const file = join(ROOT, group, name, "package.json");
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, "utf8"));
    const entries = new Map();
    for (const [sub, target] of Object.entries(pkg.exports ?? {})) {
      const t = typeof target === "string" ? target : target.default;
      if (typeof t === "string" && t.endsWith(".ts")) entries.set(sub, resolve(ROOT, group, name, t));
    }
    packages.set(pkg.name, { dir: join(ROOT, group, name), entries });
  }
}

const files = [...packages.values()]
  .flatMap((p) => walk(p.dir))
  .concat(walk(join(ROOT, "test")), walk(join(ROOT, "bench")));
const isTestFile = (f) =>
  /\.test\.tsx?$/.test(f) || f.split("/").includes("testing") || f.startsWith(join(ROOT, "test/"));
const packageOf = (f) => [...packages.entries()].find(([, p]) => f.startsWith(`${p.dir}/`))?.[0];

const SPEC =
  /(?:import|export)\s+(type\s+)?(?:\{([^}]*)\}\s+from\s+|[\w*\s,]+?\s+from\s+)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

/** For every file: the files it imports, and for package imports the names it takes. */
const importsOf = new Map();
for (const f of files) {
  const text = readFileSync(f, "utf8");
  const found = [];
  for (const m of text.matchAll(SPEC)) {
    const spec = m[3] ?? m[4];
    // a dynamic import or a namespace import may take any name: null
    const names =
      m[4] !== undefined || m[2] === undefined
        ? null
        : m[2]
            .split(",")
            .map(
              (s) =>
                s
                  .trim()
                  .replace(/^type\s+/, "")
                  .split(/\s+as\s+/)[0],
            )
            .filter(Boolean);
    if (spec.startsWith(".")) {
      const target = resolve(dirname(f), spec);
      if (existsSync(target)) found.push({ target, names });
    } else {
      const pkgName = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0];
      const pkg = packages.get(pkgName);
      const sub = `.${spec.slice(pkgName.length)}` || ".";
      const target = pkg?.entries.get(sub === "." ? "." : sub);
      if (target) found.push({ target, names, pkgName });
    }
  }
  importsOf.set(f, found);
}

const exportedNames = (f) =>
  new Set(
    [
      ...readFileSync(f, "utf8").matchAll(
        /export\s+(?:declare\s+)?(?:async\s+)?(?:function\*?|const|let|class|interface|type|enum|abstract\s+class)\s+(\w+)/g,
      ),
    ].map((m) => m[1]),
  );
const entryFiles = new Set([...packages.values()].flatMap((p) => [...p.entries.values()]));

const testOnly = new Set();
for (let changed = true; changed; ) {
  changed = false;
  for (const f of files) {
    if (isTestFile(f) || testOnly.has(f) || !f.includes("/src/") || entryFiles.has(f)) continue;
    const importers = files.filter((g) => importsOf.get(g).some((i) => i.target === f));
    if (importers.length === 0) continue;
    const prod = (g) => !isTestFile(g) && !testOnly.has(g);
    let used = importers.some((g) => prod(g) && !entryFiles.has(g));
    const viaEntry = importers.filter((g) => entryFiles.has(g));
    if (!used && viaEntry.length > 0) {
      // re-exported by a package entry: used if production code elsewhere takes one of its names
      const names = exportedNames(f);
      const pkgName = packageOf(f);
      used = files.some(
        (g) =>
          prod(g) &&
          packageOf(g) !== pkgName &&
          importsOf
            .get(g)
            .some((i) => viaEntry.includes(i.target) && (i.names === null || i.names.some((n) => names.has(n)))),
      );
      // or the package's own production code imports the entry (a star re-export we cannot see through)
      if (!used && names.size === 0) used = true;
    }
    if (!used) {
      testOnly.add(f);
      changed = true;
    }
  }
}

for (const f of [...testOnly].sort())
  console.log(`${relative(ROOT, f)}: imported only by tests; move it to a testing/ folder`);
process.exitCode = testOnly.size > 0 ? 1 : 0;
