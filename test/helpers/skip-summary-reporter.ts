/**
 * Vitest reporter (beside the default one, see vitest.config.ts): after the run, one line per
 * skipped test naming its file, the test and the reason (`ctx.skip(note)`; "no reason given" for
 * a bare `it.skip` or a `-t` filter), so a suite that could not run here is seen in the summary.
 * Tests skipped only because a hook of their suite failed are left out (the failure is reported).
 */
import { relative } from "node:path";
import type { Reporter, TestModule } from "vitest/node";

export default class SkipSummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const lines: string[] = [];
    for (const m of testModules) {
      for (const t of m.children.allTests("skipped")) {
        const result = t.result();
        const note = result.state === "skipped" ? result.note : undefined;
        // skipped because its suite's hook failed: that failure is reported already
        if (note === undefined && t.options.mode === "run") continue;
        lines.push(`  SKIPPED ${relative(process.cwd(), m.moduleId)} > ${t.fullName}: ${note ?? "no reason given"}`);
      }
    }
    if (lines.length > 0) process.stdout.write(`\n${lines.length} skipped:\n${lines.join("\n")}\n`);
  }
}
