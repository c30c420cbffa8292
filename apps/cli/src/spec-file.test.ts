import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readSweepFile } from "./spec-file.ts";

const dir = mkdtempSync(join(tmpdir(), "hpo-spec-file-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("readSweepFile", () => {
  it("resolves a relative program against the sweep file's folder and sends that path", () => {
    const file = join(dir, "sweep.yaml");
    writeFileSync(file, "program: src/train.py\nmetric: { name: loss }\nparameters: { lr: { values: [1, 2] } }\n");
    const read = readSweepFile(file);
    expect(read.spec.program).toBe(join(dir, "src/train.py"));
    expect(read.format).toBe("json");
    expect(JSON.parse(read.text).program).toBe(join(dir, "src/train.py"));
    expect(JSON.parse(read.text).parameters).toEqual({ lr: { values: [1, 2] } });
  });

  it("sends an absolute program and a sweep without program as written", () => {
    const abs = join(dir, "abs.yaml");
    writeFileSync(abs, "program: /opt/train.py\nmetric: { name: loss }\n");
    expect(readSweepFile(abs)).toMatchObject({ format: "yaml", spec: { program: "/opt/train.py" } });
    expect(readSweepFile(abs).text).toContain("program: /opt/train.py");
    const builtin = join(dir, "builtin.yaml");
    writeFileSync(builtin, "dataset: iris\n");
    expect(readSweepFile(builtin).text).toBe("dataset: iris\n");
  });
});
