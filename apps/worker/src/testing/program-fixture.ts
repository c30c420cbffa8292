import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_PROGRAM_COMMAND, type TrialJob } from "@hpo/core";
import type { ProgramRefitHost } from "../program/program-refit.ts";

/** The test programs (fold.py: behaves as its `mode` parameter says; fold.mjs). */
export const PROGRAM_FIXTURES = fileURLToPath(new URL("../program/fixtures", import.meta.url));

/**
 * A program host for tests (no slots): the fixtures allowed, runs under `runsDir`, an allowlist
 * naming secrets that must still not reach a program (REDIS_URL, HPO_TOKEN) and MY_VAR, which must.
 */
export function fixtureHost(runsDir: string): ProgramRefitHost {
  return {
    programDirs: [PROGRAM_FIXTURES],
    runsDir,
    allowEnv: ["MY_VAR", "REDIS_URL", "HPO_TOKEN"],
    parentEnv: { ...process.env, REDIS_URL: "redis://secret-host:6379", HPO_TOKEN: "secret-token", MY_VAR: "mine" },
    killGraceMs: 2000,
  };
}

let trials = 0;

/** A job of fold.py with `params` (2 folds, metric `score`), a new trial id each call. */
export function fixtureJob(params: TrialJob["params"], over: Partial<TrialJob> = {}): TrialJob {
  return {
    sweepId: "s1",
    trialId: `t${String(trials++).padStart(4, "0")}`,
    params,
    program: { path: join(PROGRAM_FIXTURES, "fold.py"), command: DEFAULT_PROGRAM_COMMAND },
    model: { hidden: [], activation: "relu" },
    cv: { folds: 2, stratified: false, seed: 7 },
    metric: { name: "score", goal: "maximize" },
    maxEpochs: 10,
    seed: 1,
    ...over,
  };
}
