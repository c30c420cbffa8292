import { describe, expect, it } from "vitest";
import { downloadFilesOf } from "./export-model.ts";

describe("downloadFilesOf", () => {
  it("saves the four files of an export, weights.bin decoded from base64", () => {
    const weights = new Uint8Array(new Float32Array([1.5, -2, 0.25]).buffer);
    const files = downloadFilesOf({
      "model.json": { format: "layers-model", weightsManifest: [{ paths: ["weights.bin"] }] },
      "weights.bin": btoa(String.fromCharCode(...weights)),
      "preprocessing.json": { classes: ["a", "b"] },
      "model-card.json": { trialId: "t0001" },
    });
    expect(files.map((f) => f.name)).toEqual(["model.json", "weights.bin", "preprocessing.json", "model-card.json"]);
    const bin = files[1]?.bytes as Uint8Array;
    expect(Array.from(new Float32Array(bin.buffer, bin.byteOffset, bin.byteLength / 4))).toEqual([1.5, -2, 0.25]);
    expect(JSON.parse(new TextDecoder().decode(files[0]?.bytes)).weightsManifest[0].paths).toEqual(["weights.bin"]);
    expect(files[3]?.type).toBe("application/json");
  });

  it("saves a program export's files as the program wrote them, subfolders flattened, then the card", () => {
    const files = downloadFilesOf({
      files: { "model.json": btoa('{"w":[1]}'), "ckpt/last.bin": btoa("\u0001\u0002") },
      "model-card.json": { trialId: "t0002", backend: "program" },
    });
    expect(files.map((f) => f.name)).toEqual(["model.json", "ckpt__last.bin", "model-card.json"]);
    expect(new TextDecoder().decode(files[0]?.bytes)).toBe('{"w":[1]}');
    expect(Array.from(files[1]?.bytes ?? [])).toEqual([1, 2]);
  });
});
