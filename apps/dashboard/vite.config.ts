import { defineConfig } from "vite";

// Built into dist/ and served by the coordinator at `/`; relative base so it also works under a prefix.
export default defineConfig({
  base: "./",
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 1500, target: "es2022" },
  server: { proxy: { "/api": "http://127.0.0.1:8080", "/healthz": "http://127.0.0.1:8080" } },
});
