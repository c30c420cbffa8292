import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { HpoError, type TrialJob } from "@hpo/core";
import { type ProgramRefitHost, type ProgramRefitRun, runProgramRefit } from "@hpo/worker/program-refit";
import type { Logger } from "pino";

/** Largest total size of a program export's files: they travel through Redis and one HTTP reply. */
export const MAX_PROGRAM_EXPORT_BYTES = 64 * 1024 * 1024;

/** A program trial's refit as kept in Redis: its run and the files of its HPO_OUTPUT_DIR. */
export interface StoredProgramRefit {
  readonly kind: "program";
  /** Seed of the sweep's refits (a program is not given it: it has the trial's parameters). */
  readonly seed: number;
  readonly path: string;
  readonly run: Omit<ProgramRefitRun, "outputDir">;
  /** Relative path → base64 of the bytes, every regular file under the output dir. */
  readonly files: Readonly<Record<string, string>>;
  readonly bytes: number;
}

/** Every regular file under `dir` (relative path → bytes), at most `maxBytes` in total. */
function filesUnder(dir: string, maxBytes: number, what: string): { files: Record<string, string>; bytes: number } {
  const files: Record<string, string> = {};
  let bytes = 0;
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) {
        bytes += statSync(path).size;
        if (bytes > maxBytes)
          throw new HpoError(
            "INVALID_REQUEST",
            `${what}: the refit run wrote more than ${maxBytes / 2 ** 20} MB to ${dir}; take the files from there`,
          );
        files[relative(dir, path)] = readFileSync(path).toString("base64");
      }
    }
  };
  walk(dir);
  return { files, bytes };
}

/**
 * Runs the refit of program trial `job` here (`runProgramRefit`: the program's own run on every
 * row, under the same rules as its folds on a worker) and collects what it wrote to its
 * HPO_OUTPUT_DIR. Its output lines go to `logger` at debug level.
 * @throws HpoError as runProgramRefit; INVALID_REQUEST when the files exceed MAX_PROGRAM_EXPORT_BYTES.
 */
export async function refitProgram(
  job: TrialJob,
  host: ProgramRefitHost,
  logger: Logger,
  maxBytes = MAX_PROGRAM_EXPORT_BYTES,
): Promise<StoredProgramRefit> {
  const log = (stream: string, line: string) =>
    logger.debug({ sweepId: job.sweepId, trialId: job.trialId, stream }, `refit run: ${line}`);
  const { outputDir, ...run } = await runProgramRefit(job, host, log);
  const { files, bytes } = filesUnder(outputDir, maxBytes, `export of ${job.trialId}`);
  return { kind: "program", seed: job.seed, path: job.program?.path ?? "", run, files, bytes };
}
