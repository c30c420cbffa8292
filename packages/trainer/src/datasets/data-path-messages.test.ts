/**
 * Issue 22: a dataset error reaches every reader of the API (the trial's error, its log, a 400 on
 * submit), so it names the path as the user gave it and never the data directories themselves.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadDataset } from "./load-dataset.ts";

const root = realpathSync(mkdtempSync(join(tmpdir(), "hpo-secret-layout-")));
const data = join(root, "srv-data");
const other = join(root, "other-data");
const outside = join(root, "outside");
for (const d of [join(data, "dir.csv"), other, outside]) mkdirSync(d, { recursive: true });
writeFileSync(join(outside, "secret.csv"), "a,label\n1,0\n");
writeFileSync(join(data, "broken.csv"), "a,label\n1\n");
symlinkSync(join(outside, "secret.csv"), join(data, "link.csv"));

describe("dataset errors name no data directory (issue 22)", () => {
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("missing, outside, escaping, not a file, malformed: the message shows only the given path", () => {
    for (const path of ["missing.csv", join(outside, "secret.csv"), "link.csv", "dir.csv", "broken.csv"]) {
      let message = "";
      try {
        loadDataset({ path, label: "label", task: "classification" }, { dataDirs: [data, other] });
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message, path).toContain(path);
      for (const dir of [data, other]) expect(message, path).not.toContain(dir);
    }
  });
});
