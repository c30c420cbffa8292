import { existsSync } from "node:fs";
import { expect, it } from "vitest";
import { describeNeeding } from "../helpers/needs.ts";
import { runExample, upForExamples } from "./example-sweep.ts";

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
  const up = upForExamples("fashion-cnn", ["--workers", "1"]);

  it("tunes the CNN's filters, dropout, learning rate and batch size; every trial reports per-layer gradient norms", async () => {
    const { sweepId, trials } = await runExample(up(), "fashion-cnn.yaml", (spec) => {
      spec.dataset.images = 240;
      spec.cv.folds = 2;
      spec.budget = { max_trials: 3, max_parallel: 1, max_epochs: 2 };
    });
    expect(trials).toHaveLength(3);
    for (const t of trials) {
      expect(["completed", "pruned"], `${t.id}: ${t.state} ${t.error ?? ""}`).toContain(t.state);
      expect(t.params).toHaveProperty("conv1_filters");
      const trial = await up().store.getTrial(sweepId, t.id);
      const fold = trial?.curve[0]?.folds[0] as Record<string, number>;
      // conv2d, conv2d, dense, output: by name, in layer order
      const perLayer = Object.keys(fold).filter((k) => k.startsWith("grad_norm/"));
      expect(perLayer).toEqual(["grad_norm/conv2d_0", "grad_norm/conv2d_2", "grad_norm/dense_5", "grad_norm/output"]);
      for (const key of perLayer) expect(fold[key], `${t.id} ${key}`).toBeGreaterThan(0);
      expect(fold.val_accuracy).toBeGreaterThan(0);
    }
    // better than chance (10 classes) on 120 validation images after at most 2 epochs
    expect(trials[0]?.mean).toBeGreaterThan(0.3);
  }, 900_000);
});
