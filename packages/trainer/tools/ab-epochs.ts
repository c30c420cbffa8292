/**
 * Interleaved A/B of training time per epoch, for trainer performance work on a shared machine:
 * the PackedTrainer of another checkout (BASE, e.g. an older commit extracted with
 * `git archive <commit> packages | tar -x -C /tmp/base` plus symlinked node_modules) and this
 * one train the same digits K-fold pack (5 folds, [128, 64] relu, dropout 0.2, Adam 1e-3) in one
 * process, epoch by epoch in alternating order, so load drift hits both alike. Prints the CPU
 * time (user + system) each side spent in trainEpoch + evaluate over the second repetition.
 *
 *   pnpm exec tsx packages/trainer/tools/ab-epochs.ts BASE [batch sizes, default 32,256] [epochs, default 10]
 */
import { mixSeed } from "@hpo/core";
import { splitFolds } from "../src/fold-split.ts";
import { loadDataset, prepareFold, selectBackend } from "../src/index.ts";
import { PackedTrainer } from "../src/packed-trainer.ts";
import { parseTrainConfig } from "../src/params.ts";

const [base, batches = "32,256", epochArg = "10"] = process.argv.slice(2);
if (!base) throw new Error("usage: ab-epochs.ts BASE_CHECKOUT [batch sizes] [epochs]");
const { PackedTrainer: BaseTrainer } = (await import(`${base}/packages/trainer/src/packed-trainer.ts`)) as {
  PackedTrainer: typeof PackedTrainer;
};
await selectBackend("wasm");
const data = loadDataset({ name: "digits", task: "classification" });
const folds = splitFolds(data, { folds: 5, stratified: true, seed: 0 }).map((f) => prepareFold(data, f));
const seeds = folds.map((_, f) => mixSeed(0, "fold", f));
const epochs = Number(epochArg);
for (const batchSize of batches.split(",").map(Number)) {
  const config = parseTrainConfig(
    { learning_rate: 1e-3, batch_size: batchSize, optimizer: "adam", dropout: 0.2 },
    { hidden: [128, 64], activation: "relu" },
  );
  const total = { base: 0, head: 0 };
  for (let rep = 0; rep < 2; rep++) {
    const trainers = {
      base: new BaseTrainer(folds, config, "classification", 10, seeds),
      head: new PackedTrainer(folds, config, "classification", 10, seeds),
    };
    for (let e = 0; e < epochs; e++) {
      for (const side of (e % 2 ? ["base", "head"] : ["head", "base"]) as ("base" | "head")[]) {
        const c0 = process.cpuUsage();
        await trainers[side].trainEpoch(1e-3);
        trainers[side].evaluate(1e-3);
        const c = process.cpuUsage(c0);
        if (rep > 0) total[side] += (c.user + c.system) / 1e3;
      }
    }
    trainers.base.dispose();
    trainers.head.dispose();
  }
  console.log(
    `batch ${batchSize}: CPU ms over ${epochs} epochs: base ${total.base.toFixed(0)}, this tree ${total.head.toFixed(0)}, base/this ${(total.base / total.head).toFixed(2)}`,
  );
}
