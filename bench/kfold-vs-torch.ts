/**
 * Training throughput (issue 8): hpo's K-fold training against the PyTorch reference (1 CPU
 * thread) on digits, 5 folds, 20 epochs, hidden [128, 64], relu, dropout 0.2, Adam 1e-3, at batch
 * sizes 32 and 256, same run, same machine. Prints both wall times, the ratio torch/hpo (goal
 * ≥ 1.0) and both accuracies (goal: within 1.5 points).
 *
 *   pnpm exec tsx bench/kfold-vs-torch.ts [--backend auto|wasm|cpu] [--reference …] [--python …] [--repeat N] [--json]
 */
import { selectBackend } from "../packages/trainer/src/index.ts";
import { compare, parseCli } from "./accuracy-vs-torch.ts";

const opts = parseCli(
  process.argv.slice(2).filter((a, i, all) => a !== "--batch-size" && all[i - 1] !== "--batch-size"),
);
const backend = await selectBackend(opts.backend, opts.json ? () => {} : (l) => console.log(l));
for (const batchSize of [32, 256]) {
  await compare({ ...opts, settings: { ...opts.settings, batchSize } }, backend.name);
}
