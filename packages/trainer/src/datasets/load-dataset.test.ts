import { mkdirSync, mkdtempSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadDataset } from "./load-dataset.ts";

const root = mkdtempSync(join(tmpdir(), "hpo-data-"));
const dataDir = join(root, "data");
const outside = join(root, "outside");
mkdirSync(join(dataDir, "sub"), { recursive: true });
mkdirSync(outside);
writeFileSync(join(dataDir, "sub", "ok.csv"), "a,label\n1,0\n2,1\n3,0\n4,1\n");
writeFileSync(join(outside, "secret.csv"), "a,label\n1,0\n2,1\n");
symlinkSync(join(outside, "secret.csv"), join(dataDir, "link.csv"));
const cls = { task: "classification" as const };

describe("loadDataset", () => {
  it("loads the built-in datasets", () => {
    const iris = loadDataset({ name: "iris", ...cls });
    expect([iris.nRows, iris.nFeatures, iris.classes.length]).toEqual([150, 4, 3]);
    const digits = loadDataset({ name: "digits", ...cls });
    expect([digits.nRows, digits.nFeatures, digits.classes.length]).toEqual([1797, 64, 10]);
    expect(loadDataset({ name: "iris", ...cls })).toBe(iris); // cached per process
  });

  it("generates seeded synthetic datasets of the requested size", () => {
    const a = loadDataset({ name: "moons:300:5", ...cls });
    const b = loadDataset({ name: "spirals:200", ...cls });
    expect([a.nRows, a.nFeatures, b.nRows]).toEqual([300, 2, 200]);
    const r = loadDataset({ name: "regression:100", task: "regression" });
    expect(r.task).toBe("regression");
    expect(() => loadDataset({ name: "regression", ...cls })).toThrow(
      /is a regression dataset, but dataset.task is classification/,
    );
    expect(() => loadDataset({ name: "mnist", ...cls })).toThrow(/unknown name/);
  });

  it("loads a CSV inside the data directories, relative or absolute", () => {
    expect(loadDataset({ path: "sub/ok.csv", ...cls }, { dataDirs: [dataDir] }).nRows).toBe(4);
    expect(loadDataset({ path: join(dataDir, "sub/ok.csv"), ...cls }, { dataDirs: [dataDir] }).nRows).toBe(4);
  });

  it("refuses paths escaping the data directories", () => {
    const dirs = { dataDirs: [dataDir] };
    expect(() => loadDataset({ path: "../outside/secret.csv", ...cls }, dirs)).toThrow(
      /must not contain "\.\." segments/,
    );
    expect(() => loadDataset({ path: join(outside, "secret.csv"), ...cls }, dirs)).toThrow(
      /is outside the data directories/,
    );
    expect(() => loadDataset({ path: "link.csv", ...cls }, dirs)).toThrow(/symlink escape refused/);
    expect(() => loadDataset({ path: "missing.csv", ...cls }, dirs)).toThrow(/not found in the data directories/);
    expect(() => loadDataset({ path: "sub/ok.csv", ...cls })).toThrow(/no data directories are configured/);
  });
});

describe("loadDataset's cache", () => {
  const dirs = { dataDirs: [dataDir] };
  const spec = (path: string) => ({ path, ...cls });

  it("parses a file once while its size and modification time stay, and again after either changes", () => {
    writeFileSync(join(dataDir, "c.csv"), "a,label\n1,0\n2,1\n");
    const first = loadDataset(spec("c.csv"), dirs);
    expect(loadDataset(spec("c.csv"), dirs)).toBe(first);
    // same size, new time: a rewrite with other values
    writeFileSync(join(dataDir, "c.csv"), "a,label\n7,0\n8,1\n");
    utimesSync(join(dataDir, "c.csv"), new Date(), new Date(Date.now() + 5_000));
    const second = loadDataset(spec("c.csv"), dirs);
    expect(second).not.toBe(first);
    expect(Array.from(second.features)).toEqual([7, 8]);
    // the options that change the parse are part of the key
    expect(loadDataset({ ...spec("c.csv"), columns: { a: "categorical" } }, dirs)).not.toBe(second);
  });

  it("keeps the last 4 datasets", () => {
    for (let i = 0; i < 5; i++) writeFileSync(join(dataDir, `k${i}.csv`), `a,label\n${i},0\n${i + 1},1\n`);
    const refs = [0, 1, 2, 3].map((i) => loadDataset(spec(`k${i}.csv`), dirs));
    expect(loadDataset(spec("k0.csv"), dirs)).toBe(refs[0]); // used again: now the most recent
    loadDataset(spec("k4.csv"), dirs); // evicts k1, the least recently used
    expect(loadDataset(spec("k0.csv"), dirs)).toBe(refs[0]);
    expect(loadDataset(spec("k3.csv"), dirs)).toBe(refs[3]);
    expect(loadDataset(spec("k1.csv"), dirs)).not.toBe(refs[1]);
  });
});
