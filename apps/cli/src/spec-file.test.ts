import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
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

describe("readSweepFile: model.module paths", () => {
  const here = realpathSync(dir);
  const sweep = (module: string) => `name: m\ndataset: iris\nmodel: { module: ${module} }\n`;

  it("sends a relative module that sits next to the sweep file as its absolute path (as JSON)", () => {
    mkdirSync(join(here, "models"));
    writeFileSync(join(here, "models/net.ts"), "export async function train() {}\n");
    writeFileSync(join(here, "s.yaml"), sweep("models/net.ts"));
    const file = readSweepFile(join(here, "s.yaml"));
    expect(file.format).toBe("json");
    expect(JSON.parse(file.text).model.module).toBe(join(here, "models/net.ts"));
    expect(file.spec.model.module).toBe(join(here, "models/net.ts"));
  });

  it("sends a module it cannot find next to the sweep file, and an absolute one, as written", () => {
    writeFileSync(join(here, "t.yaml"), sweep("elsewhere/net.ts"));
    expect(readSweepFile(join(here, "t.yaml"))).toMatchObject({ format: "yaml", text: sweep("elsewhere/net.ts") });
    writeFileSync(join(here, "u.yaml"), sweep("/srv/models/net.ts"));
    expect(readSweepFile(join(here, "u.yaml")).text).toBe(sweep("/srv/models/net.ts"));
  });
});
