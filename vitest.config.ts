import { defineConfig } from "vitest/config";

// Unit tests live beside the code (packages/*/src, apps/*/src); cross-package suites under test/.
export default defineConfig({
  test: {
    // every skipped test is named after the run, with its reason (test/helpers/needs.ts)
    reporters: ["default", "./test/helpers/skip-summary-reporter.ts"],
    projects: [
      {
        test: {
          name: "unit",
          include: ["packages/*/src/**/*.test.ts", "apps/*/src/**/*.test.ts"],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/**/*.test.ts"],
          testTimeout: 180_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
