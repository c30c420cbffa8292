/**
 * Recurrent cells on the adding problem (issue 14, docs/trainer.md "Trial flags"): one trial per
 * cell (one layer of 16 units, 2 folds, adam 0.01, batch 32) through `trainTrial`, printing per
 * epoch the val R² (mean of the folds), fold 0's layer ratio (first layer's gradient norm / the
 * output layer's) and its through-time ratio (time_grad_first / time_grad_last), then the trial's
 * flags.
 *
 *   pnpm exec tsx packages/trainer/tools/recurrent-cells.ts [timesteps 50] [rows 1000] [epochs 8] [cells simple_rnn,lstm,gru]
 */
import { layerGradKeys, TIME_GRAD_KEYS } from "@hpo/core";
import { type BackendPreference, selectBackend } from "../src/index.ts";
import { addingJob } from "../src/testing/index.ts";
import { trainTrial } from "../src/train-trial.ts";

const [timesteps = 50, rows = 1000, epochs = 8] = process.argv.slice(2, 5).map(Number);
const cells = (process.argv[5] ?? "simple_rnn,lstm,gru").split(",");
await selectBackend((process.env.HPO_BACKEND ?? "wasm") as BackendPreference);
for (const cell of cells) {
  const t0 = performance.now();
  const out = await trainTrial(
    addingJob(cell, { rows, timesteps, epochs }),
    {
      report: async (r) => {
        const f = r.folds[0] as Record<string, number>;
        const [first, last] = layerGradKeys(f).map((k) => f[k] as number);
        const layer = (first as number) / (last as number);
        const time = (f[TIME_GRAD_KEYS.first] as number) / (f[TIME_GRAD_KEYS.last] as number);
        console.log(
          `${cell} epoch ${r.epoch}: val_r2 ${r.value.toFixed(3)}, layer ratio ${layer.toExponential(1)}, through-time ratio ${time.toExponential(1)}`,
        );
        return false;
      },
    },
    new AbortController().signal,
  );
  console.log(
    `${cell}: ${out.state}, flags [${out.flags.join(", ")}], ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
}
