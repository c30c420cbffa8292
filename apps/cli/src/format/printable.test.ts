import { describe, expect, it } from "vitest";
import { parseLogLine, prefixLine } from "./log-line.ts";
import { printable } from "./printable.ts";

describe("printable (issue 22 row 4)", () => {
  it("escapes control and format characters, keeps everything else", () => {
    expect(printable("a\u001b]0;x\u0007b\nc\u009bd\u202Ee")).toBe("a\\x1b]0;x\\x07b\\x0ac\\x9bd\\u{202e}e");
    expect(printable("naïve 日本 ✓ |─")).toBe("naïve 日本 ✓ |─");
  });

  it("keeps a child's log value from forging a line or driving the terminal in `hpo up`", () => {
    const line = JSON.stringify({
      level: 40,
      time: 0,
      msg: "trial failed",
      path: "x.csv\n[coordinator] 00:00:00 info    forged\u001b[2J",
    });
    const shown = prefixLine("worker-1", parseLogLine(line).text, false);
    expect(shown.split("\n")).toHaveLength(1);
    expect(shown).not.toContain("\u001b");
    expect(shown).toContain("x.csv\\x0a[coordinator]");
    expect(parseLogLine("plain \u0007 line").text).toBe("plain \\x07 line");
  });
});
