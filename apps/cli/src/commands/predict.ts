import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { HpoError } from "@hpo/core";
import { Command, Option } from "commander";
import type { CliContext } from "../context.ts";

const BACKENDS = ["auto", "tensorflow-gpu", "tensorflow", "wasm", "cpu"] as const;

/**
 * `hpo predict <dir> <file.csv> [--json] [--backend b]`: scores a CSV file with a model `hpo export`
 * wrote. Runs here, not on the coordinator; TensorFlow.js is loaded only by this command.
 */
export function predictCommand(ctx: CliContext): Command {
  return new Command("predict")
    .description("score a CSV file with an exported model (label column optional: with it, print the metrics)")
    .argument("<dir>", "folder written by hpo export")
    .argument("<file>", "CSV file with a header row naming the model's columns")
    .option("--json", "print { predictions, labels?, metrics? } as JSON")
    .addOption(
      new Option("--backend <name>", "TensorFlow.js backend (default: the one the model was refit on)").choices(
        BACKENDS,
      ),
    )
    .action(async (dir: string, file: string, opts: { json?: boolean; backend?: (typeof BACKENDS)[number] }) => {
      const [{ predictCsv, readExportDir }, { selectBackend }] = await Promise.all([
        import("@hpo/trainer/export"),
        import("@hpo/trainer"),
      ]);
      const exported = readExportDir(resolve(ctx.cwd, dir));
      const path = resolve(ctx.cwd, file);
      let text: string;
      try {
        text = readFileSync(path, "utf8");
      } catch (e) {
        throw new HpoError("INVALID_REQUEST", `predict: cannot read "${file}" (${(e as Error).message})`);
      }
      // the refit's backend by default: the same kernels give the same scores as its test score
      const backend =
        opts.backend ??
        (exported.card?.backend === "wasm" || exported.card?.backend === "cpu" ? exported.card.backend : "auto");
      await selectBackend(backend);
      const result = await predictCsv(exported, text, file);
      if (opts.json) {
        ctx.out(JSON.stringify(result, null, 2));
        return;
      }
      const { predictions, labels, metrics } = result;
      ctx.out(labels ? "row\tprediction\tlabel" : "row\tprediction");
      predictions.forEach((p, i) => {
        ctx.out(labels ? `${i + 1}\t${p}\t${labels[i]}` : `${i + 1}\t${p}`);
      });
      if (metrics) {
        const shown = Object.entries(metrics)
          .map(([k, v]) => `${k.replace(/^val_/, "")} ${Number.isFinite(v) ? v.toFixed(4) : v}`)
          .join(", ");
        ctx.err(`hpo: ${predictions.length} rows; ${shown}`);
      } else ctx.err(`hpo: ${predictions.length} rows (no "${exported.preprocessing.label}" column: no metrics)`);
    });
}
