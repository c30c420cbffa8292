import { isHpoError } from "@hpo/core";
import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { selectBackend } from "./backend.ts";

describe("selectBackend", () => {
  it("auto falls back cleanly past the missing tfjs-node packages to wasm and logs each step", async () => {
    const lines: string[] = [];
    const chosen = await selectBackend("auto", (l) => lines.push(l));
    expect(chosen.name).toBe("wasm");
    expect(tf.getBackend()).toBe("wasm");
    expect(lines).toEqual([
      "backend: skipping tensorflow-gpu: @tensorflow/tfjs-node-gpu is not installed",
      "backend: skipping tensorflow: @tensorflow/tfjs-node is not installed",
      "backend: using wasm (best available)",
    ]);
    expect(chosen.reason).toContain("skipped tensorflow-gpu, tensorflow");
  });

  it("forcing tensorflow fails with a clear UNAVAILABLE error", async () => {
    const err = await selectBackend("tensorflow").catch((e: unknown) => e);
    expect(isHpoError(err) && err.code).toBe("UNAVAILABLE");
    expect((err as Error).message).toBe(
      'backend selection: forced backend "tensorflow" is unavailable: @tensorflow/tfjs-node is not installed',
    );
  });

  it("forcing cpu works, and an unknown name is refused", async () => {
    const chosen = await selectBackend("cpu");
    expect(chosen).toEqual({ name: "cpu", reason: "forced by configuration" });
    expect(tf.getBackend()).toBe("cpu");
    await expect(selectBackend("gpu" as "cpu")).rejects.toThrow(/unknown backend "gpu"/);
    await selectBackend("wasm");
    expect(tf.getBackend()).toBe("wasm");
  });
});
