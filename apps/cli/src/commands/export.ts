import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, normalize, resolve, sep } from "node:path";
import { HpoError } from "@hpo/core";
import {
  EXPORT_FILE_NAMES,
  type ExportFiles,
  type ModelExportFiles,
  type ProgramExportFiles,
} from "@hpo/trainer/export-files";
import { Command } from "commander";
import { type CliContext, clientFor } from "../context.ts";

/** The bytes of one file of a model export as written to disk. */
function fileBytes(files: ModelExportFiles, name: (typeof EXPORT_FILE_NAMES)[number]): Buffer | string {
  if (name === "weights.bin") return Buffer.from(files["weights.bin"], "base64");
  return `${JSON.stringify(files[name], null, 2)}\n`;
}

/** Writes a program export: each file of its HPO_OUTPUT_DIR at its relative path under `dir` (none may leave it). */
function writeProgramFiles(dir: string, files: ProgramExportFiles["files"]): void {
  for (const [path, base64] of Object.entries(files)) {
    const to = normalize(join(dir, path));
    if (isAbsolute(path) || !to.startsWith(dir + sep))
      throw new HpoError("INVALID_REQUEST", `export: file path ${JSON.stringify(path)} leaves the folder ${dir}`);
    mkdirSync(dirname(to), { recursive: true });
    writeFileSync(to, Buffer.from(base64, "base64"));
  }
}

/**
 * `hpo export <id> [--trial t] --out dir`: the winner (or a trial) refit and written: a
 * TensorFlow.js model, or what a program's refit run wrote to its HPO_OUTPUT_DIR.
 */
export function exportCommand(ctx: CliContext): Command {
  return new Command("export")
    .description(
      "refit a sweep's best trial (or --trial) on every row outside the test split and write it: a TensorFlow.js model, or a program's output folder",
    )
    .argument("<id>", "sweep id")
    .requiredOption(
      "--out <dir>",
      "folder to write model.json, weights.bin, preprocessing.json, model-card.json to (programs: their files and model-card.json)",
    )
    .option("--trial <trial>", "trial id to export, e.g. t0003 (default: the sweep's best)")
    .action(async (id: string, opts: { out: string; trial?: string }, cmd: Command) => {
      const client = clientFor(ctx, cmd);
      ctx.err(`hpo: refitting ${opts.trial ?? "the best trial"} of sweep ${id} (on the coordinator) …`);
      const files: ExportFiles = await client.exportModel(id, opts.trial);
      const dir = resolve(ctx.cwd, opts.out);
      mkdirSync(dir, { recursive: true });
      const card = files["model-card.json"];
      if ("files" in files) {
        writeProgramFiles(dir, files.files);
        writeFileSync(join(dir, "model-card.json"), `${JSON.stringify(card, null, 2)}\n`);
        const run = card.program;
        ctx.err(
          `hpo: exported ${card.trialId}: the program's refit run wrote ${run?.files ?? 0} files (${run?.bytes ?? 0} bytes), plus model-card.json`,
        );
        ctx.out(dir);
        return;
      }
      for (const name of EXPORT_FILE_NAMES) writeFileSync(join(dir, name), fileBytes(files, name));
      const selection = card.selection
        ? `K-fold ${card.selection.mean.toFixed(4)} ± ${card.selection.std.toFixed(4)}`
        : "";
      const test = card.test ? `, test ${card.test.score.toFixed(4)} on ${card.test.rows} rows` : ", no test split";
      ctx.err(`hpo: exported ${card.trialId} (${card.metric.name}: ${selection}${test}; ${card.backend} backend)`);
      ctx.out(dir);
    });
}
