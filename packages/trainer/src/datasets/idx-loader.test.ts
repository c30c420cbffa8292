import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { HpoError } from "@hpo/core";
import { describe, expect, it } from "vitest";
import { FASHION_MNIST_DIR, loadFashionMnist } from "./fashion-mnist.ts";
import { MAX_IDX_BYTES, parseIdx, readIdxFile } from "./idx-loader.ts";
import { loadDataset } from "./load-dataset.ts";

/** An unsigned-byte IDX file: header then values. */
function idx(dims: number[], values: number[], type = 0x08): Uint8Array {
  const head = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(head.buffer);
  head[2] = type;
  head[3] = dims.length;
  for (const [i, d] of dims.entries()) view.setUint32(4 + 4 * i, d, false);
  return new Uint8Array([...head, ...values]);
}

const errorOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(HpoError);
    return (e as Error).message;
  }
  return "";
};

describe("IDX loader", () => {
  it("reads raw and gzip files, and the first N items", () => {
    const bytes = idx([3, 2, 2], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    for (const b of [bytes, gzipSync(bytes)]) {
      const all = parseIdx(b, "x.idx");
      expect(all.dims).toEqual([3, 2, 2]);
      expect(Array.from(all.data)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
      const two = parseIdx(b, "x.idx", 2);
      expect(two.dims).toEqual([2, 2, 2]);
      expect(Array.from(two.data)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    }
  });

  it("names the file and the problem for malformed files, checking sizes before allocating", () => {
    expect(errorOf(() => parseIdx(new Uint8Array([0, 0]), "a.idx"))).toMatch(
      /IDX file a\.idx: is 2 bytes long, too short/,
    );
    expect(errorOf(() => parseIdx(new Uint8Array([1, 2, 8, 1, 0, 0, 0, 0]), "b.idx"))).toMatch(
      /b\.idx: does not start with the IDX magic/,
    );
    expect(errorOf(() => parseIdx(idx([2], [1, 2], 0x0d), "c.idx"))).toMatch(
      /c\.idx: holds values of type 0x0d; hpo reads unsigned-byte/,
    );
    expect(errorOf(() => parseIdx(idx([10, 28, 28], [1, 2, 3]), "d.idx"))).toMatch(
      /d\.idx: is truncated: its header announces 10×28×28 = 7840 values, the file holds 3/,
    );
    // a header announcing 4 billion values is refused before anything is allocated for them
    expect(errorOf(() => parseIdx(idx([65536, 65536], []), "e.idx"))).toMatch(
      new RegExp(`e\\.idx: announces 65536×65536 values, more than the limit of ${MAX_IDX_BYTES}`),
    );
    expect(errorOf(() => parseIdx(new Uint8Array([0x1f, 0x8b, 1, 2, 3]), "f.gz"))).toMatch(/f\.gz: is not valid gzip/);
    const header = idx([2, 2], []).slice(0, 6);
    expect(errorOf(() => parseIdx(header, "g.idx"))).toMatch(/g\.idx: ends inside its header/);
    expect(errorOf(() => readIdxFile("/nonexistent/h.idx"))).toMatch(
      /IDX file \/nonexistent\/h\.idx: cannot be read \(ENOENT\)/,
    );
  });

  it("builds an image dataset from IDX files; missing Fashion-MNIST files say how to install them", () => {
    const dir = mkdtempSync(join(tmpdir(), "hpo-idx-"));
    writeFileSync(
      join(dir, "train-images-idx3-ubyte.gz"),
      gzipSync(idx([3, 2, 2], [0, 255, 51, 102, 0, 0, 0, 0, 255, 255, 255, 255])),
    );
    writeFileSync(join(dir, "train-labels-idx1-ubyte.gz"), gzipSync(idx([3], [9, 0, 3])));
    const data = loadFashionMnist(2, dir);
    expect(data.nRows).toBe(2);
    expect(data.image).toEqual([2, 2, 1]);
    expect(Array.from(data.features.subarray(0, 4))).toEqual(Array.from(Float32Array.of(0, 1, 0.2, 0.4)));
    expect(Array.from(data.labels)).toEqual([9, 0]);
    expect(data.classes[9]).toBe("Ankle boot");
    writeFileSync(join(dir, "train-labels-idx1-ubyte.gz"), gzipSync(idx([3], [9, 10, 3])));
    expect(errorOf(() => loadFashionMnist(undefined, dir))).toMatch(/label 10 of image 1 is not a class id 0\.\.9/);
    expect(errorOf(() => loadFashionMnist(undefined, join(dir, "none")))).toMatch(
      /fashion_mnist.*not found on this worker; install Debian's dataset-fashion-mnist package \(apt-get install dataset-fashion-mnist\)/,
    );
  });

  it("loads digits as 8×8×1 images, and Fashion-MNIST from Debian's package when installed", () => {
    expect(loadDataset({ name: "digits", task: "classification" }).image).toEqual([8, 8, 1]);
    if (!existsSync(join(FASHION_MNIST_DIR, "train-images-idx3-ubyte.gz"))) return;
    const data = loadDataset({ name: "fashion_mnist", task: "classification", images: 500 });
    expect(data.nRows).toBe(500);
    expect(data.nFeatures).toBe(784);
    expect(data.image).toEqual([28, 28, 1]);
    expect(new Set(data.labels).size).toBe(10);
  });
});
