import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { HpoError } from "@hpo/core";
import { Command, Option } from "commander";
import type { CliContext } from "../context.ts";

const BACKENDS = ["auto", "tensorflow-gpu", "tensorflow", "wasm", "cpu"] as const;

interface Options {
  readonly json?: boolean;
  readonly backend?: (typeof BACKENDS)[number];
  readonly labels?: string;
}

/** Whether `bytes` start as an IDX file does (gzip-compressed, or magic 0x0000 then type 0x08 unsigned byte). */
const isIdx = (bytes: Buffer) =>
  (bytes[0] === 0x1f && bytes[1] === 0x8b) || (bytes[0] === 0 && bytes[1] === 0 && bytes[2] === 0x08);

/**
 * `hpo predict <dir> <file> [--labels idx] [--json] [--backend b]`: scores a CSV file (or, for an
 * image model, an IDX file of images, with an optional IDX file of labels) with a model
 * `hpo export` wrote. Runs here, not on the coordinator; TensorFlow.js is loaded only by this command.
 */
export function predictCommand(ctx: CliContext): Command {
  return new Command("predict")
    .description(
      "score a CSV file (image models: a CSV of pixels, or an IDX file of images) with an exported model; with labels, print the metrics",
    )
    .argument("<dir>", "folder written by hpo export")
    .argument("<file>", "CSV file with a header row naming the model's columns, or an IDX images file (.gz or raw)")
    .option("--labels <file>", "IDX file of the images' class ids (with an IDX images file)")
    .option("--json", "print { predictions, labels?, metrics? } as JSON")
    .addOption(
      new Option("--backend <name>", "TensorFlow.js backend (default: the one the model was refit on)").choices(
        BACKENDS,
      ),
    )
    .action(async (dir: string, file: string, opts: Options) => {
      const [{ idxRowsFor, predictCsv, predictRows, readExportDir }, { readIdxFile }, { selectBackend }] =
        await Promise.all([import("@hpo/trainer/export"), import("@hpo/trainer/datasets"), import("@hpo/trainer")]);
      const exported = readExportDir(resolve(ctx.cwd, dir));
      const path = resolve(ctx.cwd, file);
      let bytes: Buffer;
      try {
        bytes = readFileSync(path);
      } catch (e) {
        throw new HpoError("INVALID_REQUEST", `predict: cannot read "${file}" (${(e as Error).message})`);
      }
      const idx = isIdx(bytes);
      if (opts.labels !== undefined && !idx)
        throw new HpoError("INVALID_REQUEST", `predict: --labels goes with an IDX images file; "${file}" is not one`);
      // the refit's backend by default: the same kernels give the same scores as its test score
      const backend =
        opts.backend ??
        (exported.card?.backend === "wasm" || exported.card?.backend === "cpu" ? exported.card.backend : "auto");
      await selectBackend(backend);
      const result = idx
        ? await (() => {
            const labels = opts.labels === undefined ? undefined : readIdxFile(resolve(ctx.cwd, opts.labels));
            const { data, labelled } = idxRowsFor(exported.preprocessing, readIdxFile(path), labels, file);
            return predictRows(exported, data, labelled);
          })()
        : await predictCsv(exported, bytes.toString("utf8"), file);
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
      } else
        ctx.err(
          `hpo: ${predictions.length} rows (${idx ? "no --labels file" : `no "${exported.preprocessing.label}" column`}: no metrics)`,
        );
    });
}
