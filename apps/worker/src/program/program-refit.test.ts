import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HpoError } from "@hpo/core";
import { afterAll, describe, expect, it } from "vitest";
import { fixtureHost, fixtureJob, PROGRAM_FIXTURES } from "../testing/program-fixture.ts";
import { type ProgramRefitHost, runProgramRefit } from "./program-refit.ts";

const FIXTURES = PROGRAM_FIXTURES;
const runsDir = mkdtempSync(join(tmpdir(), "hpo-program-refit-"));
afterAll(() => rmSync(runsDir, { recursive: true, force: true }));

const host = (over: Partial<ProgramRefitHost> = {}): ProgramRefitHost => ({ ...fixtureHost(runsDir), ...over });
const job = fixtureJob;

describe("runProgramRefit (real python3 processes)", () => {
  it("runs the program once more with HPO_REFIT=1 as fold 0 of 1, in its own refit output dir, under the fold rules", async () => {
    const j = job({ steps: 2, base: 0.5, mode: "ok" });
    const r = await runProgramRefit(j, host());
    expect(r.outputDir).toBe(join(runsDir, "s1", j.trialId, "refit"));
    const seen = JSON.parse(readFileSync(join(r.outputDir, "seen.json"), "utf8")) as {
      argv: string[];
      env: Record<string, string>;
    };
    expect(seen.env).toMatchObject({
      HPO_REFIT: "1",
      HPO_FOLD: "0",
      HPO_FOLDS: "1",
      HPO_OUTPUT_DIR: r.outputDir,
      HPO_TRIAL_ID: j.trialId,
      MY_VAR: "mine",
    });
    // the environment allowlist holds: no Redis URL or token even when listed
    expect(seen.env.REDIS_URL).toBeUndefined();
    expect(seen.env.HPO_TOKEN).toBeUndefined();
    expect(seen.argv).toEqual(["--steps=2", "--base=0.5", "--mode=ok"]);
    expect(r.argv.slice(1)).toEqual([join(FIXTURES, "fold.py"), "--steps=2", "--base=0.5", "--mode=ok"]);
    expect(r.steps).toBe(2);
    expect(r.metrics).toEqual({ score: 0.7, loss: 0.5 });
  });

  it("fails with the exit and the last stderr line; refuses a program outside HPO_PROGRAM_DIRS", async () => {
    await expect(runProgramRefit(job({ mode: "fail" }), host())).rejects.toThrow(
      /refit of t\d+: fold\.py exited with code 3: ValueError: boom/,
    );
    const outside = runProgramRefit(job({}), host({ programDirs: [runsDir] }));
    await expect(outside).rejects.toBeInstanceOf(HpoError);
    await expect(outside).rejects.toThrow(/HPO_PROGRAM_DIRS/);
  });

  it("holds the run to budget.max_trial_seconds and the operator's memory limit", async () => {
    await expect(runProgramRefit(job({ mode: "hang" }, { maxTrialSeconds: 1 }), host())).rejects.toThrow(
      /the refit run ran longer than budget.max_trial_seconds \(1 s\) and was killed/,
    );
    await expect(runProgramRefit(job({ mode: "memory" }), host({ limits: { memoryMb: 100 } }))).rejects.toThrow(
      /the refit run used \d+ MB of memory, over the worker's HPO_FOLD_MEMORY_MB \(100\)/,
    );
  });
});
