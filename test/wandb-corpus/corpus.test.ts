import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { checkSweepSpec, HpoError } from "@hpo/core";
import { describe, expect, it } from "vitest";
import { CORPUS, REFUSALS } from "./corpus.ts";

const HERE = import.meta.dirname;
const README = readFileSync(join(HERE, "../../README.md"), "utf8");
const SOURCES = readFileSync(join(HERE, "SOURCES.md"), "utf8");

function parse(file: string): { ok: true; warnings: string[] } | { ok: false; message: string } {
  try {
    const { warnings } = checkSweepSpec(readFileSync(join(HERE, "files", file), "utf8"));
    return { ok: true, warnings: warnings.map((w) => w.path) };
  } catch (e) {
    if (!(e instanceof HpoError)) throw e;
    return { ok: false, message: e.message };
  }
}

describe("the W&B sweep corpus", () => {
  it("lists every file of files/ once, with its source in SOURCES.md", () => {
    expect(CORPUS.map((c) => c.file).sort()).toEqual(readdirSync(join(HERE, "files")).sort());
    expect(CORPUS.length).toBeGreaterThanOrEqual(30);
    for (const c of CORPUS) expect(SOURCES).toContain(`| [\`${c.file}\`](files/${c.file}) | [${c.repo}]`);
  });

  it.each(CORPUS.filter((c) => !c.refused).map((c) => [c.file]))("accepts %s as it is", (file) => {
    const r = parse(file);
    expect(r.ok ? "accepted" : r.message).toBe("accepted");
  });

  it.each(CORPUS.filter((c) => c.refused).map((c) => [c.file, c.refused as keyof typeof REFUSALS]))(
    "refuses %s (%s), with the reason the README's compatibility table gives",
    (file, reason) => {
      const r = parse(file);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.message).toMatch(REFUSALS[reason].message);
    },
  );

  it("has a row in the README's compatibility table for every reason", () => {
    const table = README.slice(README.indexOf("### Compatibility"));
    for (const { readme } of Object.values(REFUSALS)) expect(table).toContain(`| ${readme} |`);
    const accepted = CORPUS.filter((c) => !c.refused).length;
    expect(table).toContain(`A corpus of ${CORPUS.length} public W&B sweep files`);
    expect(table).toContain(`${accepted} are accepted`);
  });
});
