import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createStore, deleteKeysUnder } from "@hpo/store";
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { describeNeeding } from "../helpers/needs.ts";
import { REPO_ROOT } from "../helpers/processes.ts";
import { cleanEnv, freePort, runCli, startUp, type UpStack } from "./run-cli.ts";

/**
 * examples/fashion-cnn.yaml (a layer list, TPE + ASHA) through `hpo up` + `hpo submit --watch`,
 * with small sizes: 240 images, 2 folds, 3 trials of at most 2 epochs. The workers train the CNN
 * on the wasm backend (conv gradients from wasm-conv-kernels.ts).
 */
const IMAGES = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz";
const describeWithData = describeNeeding(
  "Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist)",
  existsSync(IMAGES) ? undefined : `${IMAGES} not found`,
);

describeWithData("examples/fashion-cnn.yaml end to end", () => {
  const prefix = `test-fashion-cnn-${randomUUID()}`;
  let dir: string;
  let stack: UpStack;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "hpo-fashion-cnn-"));
    const port = await freePort();
    env = cleanEnv({ REDIS_URL: "redis://127.0.0.1:6379", HPO_PREFIX: prefix, HPO_URL: `http://127.0.0.1:${port}` });
    stack = await startUp(["--workers", "1", "--port", String(port)], { cwd: dir, env });
  }, 180_000);

  afterAll(async () => {
    if (stack?.proc.exitCode === null) {
      stack.proc.kill("SIGTERM");
      await stack.exit;
    }
    const redis = new Redis("redis://127.0.0.1:6379");
    await deleteKeysUnder(redis, prefix);
    await redis.quit();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("tunes the CNN's filters, dropout, learning rate and batch size; every trial reports per-layer gradient norms", async () => {
    const spec = parse(readFileSync(join(REPO_ROOT, "examples/fashion-cnn.yaml"), "utf8"));
    spec.dataset.images = 240;
    spec.cv.folds = 2;
    spec.budget = { max_trials: 3, max_parallel: 1, max_epochs: 2 };
    writeFileSync(join(dir, "fashion-cnn.yaml"), stringify(spec));
    const r = await runCli(["submit", "fashion-cnn.yaml", "--watch", "--interval", "500"], {
      cwd: dir,
      env,
      timeoutMs: 900_000,
    });
    expect(r.code, `${r.stderr}\n${stack.out}`).toBe(0);
    expect(r.stdout).toMatch(/sweep \S+ "fashion-cnn": completed/);
    const sweepId = /sweep (\S+) "fashion-cnn"/.exec(r.stdout)?.[1] as string;
    const redis = new Redis("redis://127.0.0.1:6379");
    const store = createStore({ redis, prefix });
    try {
      const trials = (await store.listTrials(sweepId, { limit: 10 })).items;
      expect(trials).toHaveLength(3);
      for (const t of trials) {
        expect(["completed", "pruned"], `${t.id}: ${t.state} ${t.error ?? ""}`).toContain(t.state);
        expect(t.params).toHaveProperty("conv1_filters");
        const trial = await store.getTrial(sweepId, t.id);
        const fold = trial?.curve[0]?.folds[0] as Record<string, number>;
        // conv2d, conv2d, dense, output
        for (const key of ["grad_norm_l0", "grad_norm_l1", "grad_norm_l2", "grad_norm_l3"])
          expect(fold[key], `${t.id} ${key}`).toBeGreaterThan(0);
        expect(fold.val_accuracy).toBeGreaterThan(0);
      }
      // better than chance (10 classes) on 120 validation images after at most 2 epochs
      expect(trials[0]?.mean).toBeGreaterThan(0.3);
    } finally {
      await store.close();
      await redis.quit();
    }
  }, 900_000);
});
