/**
 * A program sweep end to end: the wine example program (examples/programs/wine_softmax.py, plain
 * Python) submitted through the API, run by two real worker processes, 3-fold, ASHA-pruned. The API
 * then serves each trial's params, per-fold scores, every reported metric per step and the trial
 * log with the program's own lines.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EpochReport, TrialLogLine, TrialRecord } from "@hpo/core";
import { uniquePrefix } from "@hpo/store/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { apiClient } from "../helpers/api.ts";
import { REPO_ROOT, startWorkerProcess } from "../helpers/processes.ts";
import { type E2eStack, startE2eStack } from "../helpers/stack.ts";

const PROGRAMS = join(REPO_ROOT, "examples/programs");

describe("a program sweep through the API and two worker processes", () => {
  const prefix = uniquePrefix("e2e-program");
  let stack: E2eStack;
  const runsDir = mkdtempSync(join(tmpdir(), "hpo-e2e-program-"));

  beforeAll(async () => {
    stack = await startE2eStack({ prefix });
    const env = { HPO_PROGRAM_DIRS: PROGRAMS, HPO_SLOTS: "3", HPO_RUNS_DIR: runsDir };
    stack.workers.push(
      ...(await Promise.all(["prog-a", "prog-b"].map((name) => startWorkerProcess({ prefix, name, env })))),
    );
  });
  afterAll(async () => {
    await stack?.close();
    rmSync(runsDir, { recursive: true, force: true });
  });

  it("completes, with folds, per-step metrics and the program's log lines served by the API", async () => {
    const spec = parse(readFileSync(join(PROGRAMS, "wine-softmax.yaml"), "utf8")) as Record<string, unknown>;
    const sweepYaml = stringify({
      ...spec,
      program: join(PROGRAMS, "wine_softmax.py"), // what `hpo submit` sends (relative to the file)
      cv: { folds: 3, stratified: true, seed: 1 },
      parameters: { ...(spec.parameters as object), epochs: { value: 6 } },
      budget: { max_trials: 4, max_parallel: 2 },
    });
    const api = apiClient(stack.coordinator.url);
    const sweep = await api.submit(sweepYaml);
    const done = await api.ended(sweep.id, 180_000);
    expect(done.status).toBe("completed");
    expect(done.counts.completed + done.counts.pruned).toBe(4);
    expect(done.best?.mean).toBeGreaterThan(0.5);

    const { items } = await api.trials(sweep.id);
    const best = items.find((t) => t.id === done.best?.trialId) as TrialRecord;
    expect(Object.keys(best.params).sort()).toEqual(["batch_size", "epochs", "l2", "learning_rate"]);
    expect(best.folds.map((f) => f.fold)).toEqual([0, 1, 2]);
    const detail = (await (
      await fetch(`${stack.coordinator.url}/api/sweeps/${sweep.id}/trials/${best.id}`)
    ).json()) as TrialRecord & { curve: EpochReport[] };
    expect(detail.curve.map((e) => e.epoch)).toEqual([0, 1, 2, 3, 4, 5]); // the example reports epochs from 0
    for (const fold of detail.curve[0]?.folds ?? [])
      expect(Object.keys(fold).sort()).toEqual(["train_loss", "val_accuracy", "val_loss"]);
    const { lines } = (await (
      await fetch(`${stack.coordinator.url}/api/sweeps/${sweep.id}/trials/${best.id}/log`)
    ).json()) as { lines: TrialLogLine[] };
    expect(lines.filter((l) => /^fold \d started$/.test(l.message))).toHaveLength(3);
    expect(lines.some((l) => l.message === "trial finished")).toBe(true);
  });
});
