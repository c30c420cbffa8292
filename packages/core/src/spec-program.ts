// biome-ignore-all lint/suspicious/noTemplateCurlyInString: W&B command macros are literal text, not templates
import { HpoError, type Issue } from "./errors.ts";
import { show } from "./spec-issues.ts";
import type { DatasetSpec } from "./types.ts";

/**
 * The program fields of a sweep (`program`, `command`, `report`): W&B's semantics for `program`
 * and `command`, plus hpo's `report: wandb`. What the worker does with them is in
 * apps/worker/src/program/ and docs/CONTRACTS.md ("Program trials").
 */

/** The macros a `command` item may hold (W&B's agent). */
export const PROGRAM_COMMAND_MACROS = [
  "${env}",
  "${interpreter}",
  "${program}",
  "${args}",
  "${args_no_hyphens}",
  "${args_json}",
  "${args_json_file}",
] as const;

/** `command` when the sweep gives none (W&B's default). */
export const DEFAULT_PROGRAM_COMMAND: readonly string[] = ["${env}", "${interpreter}", "${program}", "${args}"];

/** Values of `report`: `wandb` puts the `wandb` stand-in first on the program's PYTHONPATH. */
export const PROGRAM_REPORT_MODES = ["wandb"] as const;

/**
 * Parameter and metric names of a program sweep (free, W&B-style): letters, digits, `_`, `.`,
 * `/` and `-`, starting with a letter, digit or `_`; at most 64 characters. No `=` or space, so
 * `--name=value` reads back unambiguously; a `.` separates the levels of a nested parameter
 * (`optimizer.lr` reaches the program as `{"optimizer": {"lr": …}}` and `--optimizer.lr=…`).
 */
export const PROGRAM_NAME_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_./-]{0,63}$/;
export const PROGRAM_NAME_RULE =
  "must start with a letter, digit or '_' and hold only letters, digits, '_', '.', '/' and '-' (at most 64)";

/** Limits of `command`. */
export const COMMAND_LIMITS = { items: 64, itemLength: 1024 } as const;

/**
 * Checks `command` items: each `${...}` must be one of PROGRAM_COMMAND_MACROS. A macro may stand
 * alone (`${args}` expands to several items, `${env}` to none) or sit inside text
 * (`--config=${args_json_file}`), where it expands to one piece of text. Issues are appended.
 */
export function checkProgramCommand(command: readonly string[], issues: Issue[]): void {
  command.forEach((item, i) => {
    for (const m of item.matchAll(/\$\{[^}]*\}?/g)) {
      if (!(PROGRAM_COMMAND_MACROS as readonly string[]).includes(m[0])) {
        issues.push({
          path: `command[${i}]`,
          message: `holds ${show(m[0])}, which is not a macro; macros: ${PROGRAM_COMMAND_MACROS.join(" ")}`,
        });
      }
    }
    if (item.trim() === "") issues.push({ path: `command[${i}]`, message: "is empty" });
  });
}

/** The sweep's name when it gives none: the program's file name without extension, then the method. */
export function programSweepName(program: string, method: string): string {
  const base = program.split(/[\\/]/).at(-1) ?? program;
  const stem = base.replace(/\.[^.]*$/, "") || base;
  return `${stem}-${method}`.slice(0, 100);
}

/**
 * What a sweep trains on, for one-line summaries (CLI, dashboard): `program train.py` for a
 * program sweep (with its dataset when it names one), else the dataset's name or path.
 */
export function sweepSubject(spec: {
  readonly program?: string | undefined;
  readonly dataset?: { readonly name?: string | undefined; readonly path?: string | undefined } | undefined;
}): string {
  const data = spec.dataset?.name ?? spec.dataset?.path;
  if (spec.program === undefined) return data ?? "?";
  const base = spec.program.split(/[\\/]/).at(-1) ?? spec.program;
  return data === undefined ? `program ${base}` : `program ${base} on ${data}`;
}

/**
 * The dataset of a built-in trainer's job. Only program jobs may lack one (parseSweepSpec makes
 * sure), so a missing dataset here is a caller's mistake.
 * @throws HpoError INVALID_SPEC naming the trial when `job.dataset` is absent.
 */
export function builtinDataset(job: {
  readonly trialId: string;
  readonly dataset?: DatasetSpec | undefined;
}): DatasetSpec {
  if (!job.dataset) throw new HpoError("INVALID_SPEC", `trial ${job.trialId}: the built-in trainer needs a dataset`);
  return job.dataset;
}
