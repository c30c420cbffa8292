import type { RequestHandler } from "express";

/**
 * Headers on every response: no MIME sniffing, no framing (clickjacking), no referrer, a
 * same-origin Content-Security-Policy that the dashboard (Vite build, ECharts on canvas, inline
 * style attributes) works under. No CORS headers are ever set: browsers on other origins cannot
 * read the API.
 */
export const securityHeaders: RequestHandler = (_req, res, next) => {
  res.set({
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Content-Security-Policy":
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
      "connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'",
  });
  next();
};
