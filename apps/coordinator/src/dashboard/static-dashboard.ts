/**
 * Serves the built dashboard (apps/dashboard/dist) at `/`: hashed assets cached for a year,
 * index.html never cached. When the dashboard has not been built, `/` answers 503 with a page
 * that says how to build it instead of a bare 404.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import express, { type RequestHandler, Router } from "express";

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>hpo dashboard not built</title>
<body style="font-family:system-ui,sans-serif;max-width:40em;margin:4em auto;line-height:1.5">
<h1>The dashboard is not built</h1>
<p>The coordinator is running and its API answers under <code>/api</code>, but the browser app has
not been built yet. Build it once with</p><pre>pnpm build:dashboard</pre>
<p>(<code>pnpm install</code> does it too) and reload this page.</p></body>`;

export function staticDashboard(staticDir: string): RequestHandler {
  const root = path.resolve(staticDir);
  const router = Router();
  router.use(
    express.static(root, {
      index: "index.html",
      setHeaders(res, file) {
        if (file.includes(`${path.sep}assets${path.sep}`))
          res.setHeader("cache-control", "public, max-age=31536000, immutable");
        else res.setHeader("cache-control", "no-cache");
      },
    }),
  );
  router.get(["/", "/index.html"], (_req, res, next) => {
    if (existsSync(path.join(root, "index.html"))) return next();
    res.status(503).type("html").send(NOT_BUILT);
  });
  return router;
}
