import type { NestedParams, TrialJob } from "@hpo/core";
import { PROGRAM_KIT_PATHS } from "../program-kit-paths.ts";

/** Variables every program gets from the worker's own environment when set (never secrets). */
const BASE_VARIABLES = ["PATH", "HOME", "LANG"] as const;

export interface FoldEnvOptions {
  readonly job: TrialJob;
  /** The fold this process runs, or "refit": the one run on every row (HPO_REFIT=1, fold 0 of 1). */
  readonly run: number | "refit";
  /** HPO_PARAMS: the params with nested parameters nested. */
  readonly nested: NestedParams;
  readonly outputDir: string;
  /** The GPU this process may use (CUDA_VISIBLE_DEVICES), when the worker has HPO_GPUS. */
  readonly gpu?: string | undefined;
  /** The worker's environment (read for PATH, HOME, LANG, PYTHONPATH and the allowlist). */
  readonly parentEnv: NodeJS.ProcessEnv;
  /** Names the operator passes through (HPO_PROGRAM_ENV); names starting with HPO_ are refused. */
  readonly allow: readonly string[];
}

/**
 * The whole environment of a fold process (or of the refit run: HPO_REFIT=1, HPO_FOLD 0,
 * HPO_FOLDS 1, docs/CONTRACTS.md "Program refit"): PATH, HOME, LANG, the HPO_* program variables,
 * PYTHONPATH (program-kit, the wandb stand-in first with `report: wandb`, then the operator's
 * PYTHONPATH when allowed), CUDA_VISIBLE_DEVICES when a GPU is given, and the operator's
 * allowlist. Nothing else of the worker's environment: no REDIS_URL, HPO_TOKEN or other secret.
 */
export function foldEnv(o: FoldEnvOptions): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of [...BASE_VARIABLES, ...o.allow]) {
    const value = o.parentEnv[name];
    if (value !== undefined && !isWorkerSecret(name)) env[name] = value;
  }
  const { job } = o;
  const python = [
    ...(job.program?.report === "wandb" ? [PROGRAM_KIT_PATHS.wandbStandin] : []),
    PROGRAM_KIT_PATHS.python,
    ...(env.PYTHONPATH ? [env.PYTHONPATH] : []),
  ];
  Object.assign(env, {
    PYTHONPATH: python.join(":"),
    PYTHONUNBUFFERED: "1",
    HPO_PARAMS: JSON.stringify(o.nested),
    HPO_FOLD: String(o.run === "refit" ? 0 : o.run),
    HPO_FOLDS: String(o.run === "refit" ? 1 : job.cv.folds),
    HPO_CV_SEED: String(job.cv.seed),
    HPO_CV_STRATIFIED: job.cv.stratified ? "1" : "0",
    HPO_TRIAL_ID: job.trialId,
    HPO_SWEEP_ID: job.sweepId,
    HPO_OUTPUT_DIR: o.outputDir,
  });
  if (o.run === "refit") env.HPO_REFIT = "1";
  if (o.gpu !== undefined) env.CUDA_VISIBLE_DEVICES = o.gpu;
  return env;
}

/** The worker's own settings and secrets: never passed on, even when allowlisted. */
function isWorkerSecret(name: string): boolean {
  return name === "REDIS_URL" || name.startsWith("HPO_");
}
