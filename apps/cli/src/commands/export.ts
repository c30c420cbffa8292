import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { EXPORT_FILE_NAMES, type ExportFiles } from "@hpo/trainer/export-files";
import { Command } from "commander";
import { type CliContext, clientFor } from "../context.ts";

/** The bytes of one export file as written to disk. */
function fileBytes(files: ExportFiles, name: (typeof EXPORT_FILE_NAMES)[number]): Buffer | string {
  if (name === "weights.bin") return Buffer.from(files["weights.bin"], "base64");
  return `${JSON.stringify(files[name], null, 2)}\n`;
}

/** `hpo export <id> [--trial t] --out dir`: the winner (or a trial) refit and written as a TensorFlow.js model. */
export function exportCommand(ctx: CliContext): Command {
  return new Command("export")
    .description(
      "refit a sweep's best trial (or --trial) on every row outside the test split and write it as a TensorFlow.js model",
    )
    .argument("<id>", "sweep id")
    .requiredOption("--out <dir>", "folder to write model.json, weights.bin, preprocessing.json, model-card.json to")
    .option("--trial <trial>", "trial id to export, e.g. t0003 (default: the sweep's best)")
    .action(async (id: string, opts: { out: string; trial?: string }, cmd: Command) => {
      const client = clientFor(ctx, cmd);
      ctx.err(`hpo: refitting ${opts.trial ?? "the best trial"} of sweep ${id} (on the coordinator) …`);
      const files = await client.exportModel(id, opts.trial);
      const dir = resolve(ctx.cwd, opts.out);
      mkdirSync(dir, { recursive: true });
      for (const name of EXPORT_FILE_NAMES) writeFileSync(join(dir, name), fileBytes(files, name));
      const card = files["model-card.json"];
      const selection = card.selection
        ? `K-fold ${card.selection.mean.toFixed(4)} ± ${card.selection.std.toFixed(4)}`
        : "";
      const test = card.test ? `, test ${card.test.score.toFixed(4)} on ${card.test.rows} rows` : ", no test split";
      ctx.err(`hpo: exported ${card.trialId} (${card.metric.name}: ${selection}${test}; ${card.backend} backend)`);
      ctx.out(dir);
    });
}
