import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveDataPath } from "./resolve-data-path.ts";

// root/data/{good.csv, sub/inner.csv, sub/dir/, link.csv → ../outside/secret.csv, linked → ../outside}
// root/second/{good.csv, only-here.csv}; root/outside/secret.csv; root/data-link → data
const root = realpathSync(mkdtempSync(join(tmpdir(), "hpo-resolve-")));
const data = join(root, "data");
const second = join(root, "second");
const outside = join(root, "outside");
for (const d of [join(data, "sub", "dir"), second, outside]) mkdirSync(d, { recursive: true });
for (const f of [
  join(data, "good.csv"),
  join(data, "sub", "inner.csv"),
  join(second, "good.csv"),
  join(second, "only-here.csv"),
  join(outside, "secret.csv"),
]) {
  writeFileSync(f, "a,label\n1,0\n");
}
symlinkSync(join(outside, "secret.csv"), join(data, "link.csv"));
symlinkSync(outside, join(data, "linked"));
symlinkSync(data, join(root, "data-link"));

describe("resolveDataPath", () => {
  it("resolves relative paths in the data directories, first directory first, to real paths", () => {
    expect(resolveDataPath("good.csv", [data, second])).toBe(join(data, "good.csv"));
    expect(resolveDataPath("good.csv", [second, data])).toBe(join(second, "good.csv"));
    expect(resolveDataPath("only-here.csv", [data, second])).toBe(join(second, "only-here.csv"));
    expect(resolveDataPath("sub/inner.csv", [data])).toBe(join(data, "sub", "inner.csv"));
    // a data directory given through a symlink: the real file comes back
    expect(resolveDataPath("good.csv", [join(root, "data-link")])).toBe(join(data, "good.csv"));
  });

  it("accepts an absolute path inside a data directory, by its given or its real path", () => {
    expect(resolveDataPath(join(data, "sub", "inner.csv"), [data])).toBe(join(data, "sub", "inner.csv"));
    expect(resolveDataPath(join(root, "data-link", "good.csv"), [join(root, "data-link")])).toBe(
      join(data, "good.csv"),
    );
    expect(resolveDataPath(join(data, "good.csv"), [join(root, "data-link")])).toBe(join(data, "good.csv"));
  });

  it('refuses any ".." segment, even towards a file that exists (outside, or back inside)', () => {
    const dotdot = /must not contain "\.\." segments/;
    expect(() => resolveDataPath("../outside/secret.csv", [data])).toThrow(dotdot);
    expect(() => resolveDataPath("sub/../good.csv", [data])).toThrow(dotdot);
    expect(() => resolveDataPath(`${data}/../outside/secret.csv`, [data])).toThrow(dotdot);
    expect(() => resolveDataPath("sub\\..\\..\\outside\\secret.csv", [data])).toThrow(dotdot);
  });

  it("refuses symlinks that lead out of the data directory", () => {
    expect(() => resolveDataPath("link.csv", [data])).toThrow(/resolves outside the data directories/);
    expect(() => resolveDataPath("linked/secret.csv", [data])).toThrow(/resolves outside the data directories/);
  });

  it("refuses absolute paths elsewhere, even of existing files", () => {
    expect(() => resolveDataPath(join(outside, "secret.csv"), [data])).toThrow(
      `dataset.path "${join(outside, "secret.csv")}" is outside the data directories (HPO_DATA_DIRS): give a path relative to a data directory`,
    );
    expect(() => resolveDataPath("/etc/passwd", [data, second])).toThrow(/is outside the data directories/);
  });

  it("names what is wrong otherwise: missing file, a directory, no directories, empty path", () => {
    expect(() => resolveDataPath("missing.csv", [data, second])).toThrow(
      `dataset.path "missing.csv" not found in the data directories (HPO_DATA_DIRS)`,
    );
    expect(() => resolveDataPath("sub/dir", [data])).toThrow(`dataset.path "sub/dir" is not a regular file`);
    expect(() => resolveDataPath("good.csv", [])).toThrow(/no data directories are configured \(HPO_DATA_DIRS\)/);
    expect(() => resolveDataPath("good.csv", [join(root, "nowhere")])).toThrow(/not found in the data directories/);
    expect(() => resolveDataPath("  ", [data])).toThrow("dataset.path is empty");
  });

  it("throws HpoError INVALID_DATASET", () => {
    expect(() => resolveDataPath("../x", [data])).toThrow(expect.objectContaining({ code: "INVALID_DATASET" }));
  });
});
