import { deleteTestKeys, uniquePrefix } from "@hpo/store/testing";
import { afterAll, describe, expect, it } from "vitest";
import { type Proc, REDIS_URL, spawnTs, startWorkerProcess } from "../helpers/processes.ts";

describe("worker backend selection at start-up (HPO_BACKEND)", () => {
  const prefix = uniquePrefix("e2e-backend");
  const procs: Proc[] = [];
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop("SIGKILL")));
    await deleteTestKeys(prefix);
  });

  it("auto picks the best installed backend and logs why", async () => {
    const w = await startWorkerProcess({ prefix, name: "auto" });
    procs.push(w);
    const chosen = w.logs().find((r) => r.msg === "training backend selected");
    expect(["tensorflow-gpu", "tensorflow", "wasm", "cpu"]).toContain(chosen?.backend);
    // without tfjs-node(-gpu) (as on this machine) it says what it skipped
    if (chosen?.backend === "wasm") expect(String(chosen?.reason)).toMatch(/skipped tensorflow-gpu, tensorflow/);
    expect(await w.stop()).toBe(0);
  });

  it("can be forced to cpu", async () => {
    const w = await startWorkerProcess({ prefix, name: "forced", env: { HPO_BACKEND: "cpu" } });
    procs.push(w);
    const chosen = w.logs().find((r) => r.msg === "training backend selected");
    expect(chosen).toMatchObject({ backend: "cpu", reason: "forced by configuration" });
    expect(await w.stop()).toBe(0);
  });

  it("refuses to start when the forced backend is missing, saying which and why (exit 1)", async () => {
    const w = spawnTs("apps/worker/src/main.ts", {
      REDIS_URL,
      HPO_PREFIX: prefix,
      HPO_WORKER_NAME: "missing",
      HPO_BACKEND: "tensorflow",
    });
    procs.push(w);
    expect(await w.exited).toBe(1);
    const fatal = w.logs().find((r) => r.msg === "worker failed to start");
    expect(String(fatal?.err)).toMatch(
      /forced backend "tensorflow" is unavailable: @tensorflow\/tfjs-node is not installed/,
    );
  });
});
