import { describe, expect, it } from "vitest";
import { demoSummary, readmeDemoBlock, readReadme, runDemo, seededLines } from "./readme-demo.ts";

/**
 * The README shows the end of `pnpm demo`'s output. The demo is seeded: a real run must print
 * every score line the README shows (durations, wall time and sweep id aside), in the same order,
 * and as many trials as the README's last rank. Regenerate with test/cli/update-readme-demo.ts.
 */
describe("the README's sample output of pnpm demo", () => {
  it("matches what the demo prints, score for score", async () => {
    const readme = seededLines(readmeDemoBlock(readReadme()));
    const printed = seededLines(demoSummary(await runDemo()));
    const missing = readme.filter((l) => !printed.includes(l));
    expect(missing, `README lines the demo did not print (printed:\n${printed.join("\n")})`).toEqual([]);
    expect(readme.map((l) => printed.indexOf(l))).toEqual(
      [...readme.map((l) => printed.indexOf(l))].sort((a, b) => a - b),
    );
    const lastRank = (lines: string[]) => lines.at(-1)?.split(" | ")[0];
    expect(lastRank(readme)).toBe(lastRank(printed));
  });
});
