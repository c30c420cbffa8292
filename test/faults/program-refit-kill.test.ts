/**
 * A program trial's refit run (`hpo export`) when its coordinator is SIGKILLed mid-run: the
 * coordinator's reaper ends the run's process group, the program's own child included, as a
 * worker's reaper does for folds.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { processAlive, waitFor } from "@hpo/core/testing";
import { uniquePrefix } from "@hpo/store/testing";
import { PROGRAM_FIXTURES } from "@hpo/worker/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ExportStack, startExportStack } from "../helpers/export-stack.ts";

const RUNS = mkdtempSync(join(tmpdir(), "hpo-refit-kill-runs-"));

const SPEC = JSON.stringify({
  name: "refit-kill",
  program: join(PROGRAM_FIXTURES, "fold.py"),
  metric: { name: "score", goal: "maximize" },
  cv: { folds: 2 },
  budget: { max_trials: 1, max_parallel: 1 },
  parameters: { mode: { value: "hang_refit" }, steps: { value: 2 } },
});

describe("a program refit run when its coordinator is SIGKILLed", () => {
  let stack: ExportStack;

  beforeAll(async () => {
    stack = await startExportStack(uniquePrefix("faults-refit-kill"), {
      HPO_PROGRAM_DIRS: PROGRAM_FIXTURES,
      HPO_RUNS_DIR: RUNS,
      HPO_KILL_GRACE_MS: "500",
    });
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
    rmSync(RUNS, { recursive: true, force: true });
  });

  it("leaves no process of the run behind", async () => {
    const sweep = await stack.finished(SPEC, false);
    expect(sweep.status).toBe("completed");
    // the export hangs in the refit run (fold.py's hang_refit mode hangs only with HPO_REFIT=1)
    const exporting = stack.cli(["export", sweep.id, "--out", join(stack.dir, "never")]);
    const dir = join(RUNS, sweep.id, sweep.best?.trialId as string, "refit");
    await waitFor("the refit run's child to start", async () => existsSync(join(dir, "child.pid")), {
      timeoutMs: 60_000,
    });
    const seen = JSON.parse(readFileSync(join(dir, "seen.json"), "utf8")) as { env: Record<string, string> };
    expect(seen.env.HPO_REFIT).toBe("1");
    const child = Number(readFileSync(join(dir, "child.pid"), "utf8"));
    expect(processAlive(child)).toBe(true);
    await stack.coordinator.proc.stop("SIGKILL");
    await waitFor("the reaper to end the refit run's group", async () => !processAlive(child), {
      timeoutMs: 20_000,
    });
    expect((await exporting).code).not.toBe(0);
  });
});
