// biome-ignore-all lint/suspicious/noTemplateCurlyInString: W&B command macros are literal text
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_PROGRAM_COMMAND, type EpochReport, type TrialJob } from "@hpo/core";
import { processAlive, waitFor } from "@hpo/core/testing";
import { afterAll, describe, expect, it } from "vitest";
import { PROGRAM_KIT_PATHS } from "../program-kit-paths.ts";
import { fixtureHost, fixtureJob, PROGRAM_FIXTURES } from "../testing/program-fixture.ts";
import { ProgramFailure, type ProgramHost, runProgramTrial } from "./program-trial.ts";
import { createSlotPool } from "./slot-pool.ts";

const FIXTURES = PROGRAM_FIXTURES;
const runsDir = mkdtempSync(join(tmpdir(), "hpo-program-trial-"));
afterAll(() => rmSync(runsDir, { recursive: true, force: true }));

const host = (over: Partial<ProgramHost> = {}): ProgramHost => ({
  ...fixtureHost(runsDir),
  slots: createSlotPool(4),
  ...over,
});

const job = fixtureJob;

interface Line {
  level: string;
  fields: Record<string, unknown>;
  message: string;
}
const run = async (j: TrialJob, h = host(), prune: (r: EpochReport) => boolean = () => false, signal?: AbortSignal) => {
  const epochs: EpochReport[] = [];
  const log: Line[] = [];
  const outcome = await runProgramTrial(
    j,
    h,
    {
      onEpoch: async (r) => {
        epochs.push(r);
        return prune(r);
      },
      record: (level, fields, message) => log.push({ level, fields, message }),
    },
    signal ?? new AbortController().signal,
  );
  return { outcome, epochs, log };
};

const seen = (j: TrialJob, fold: number) =>
  JSON.parse(readFileSync(join(runsDir, j.sweepId, j.trialId, `fold-${fold}`, "seen.json"), "utf8")) as {
    argv: string[];
    env: Record<string, string>;
  };

describe("runProgramTrial (real python3 and node processes)", () => {
  it("runs one process per fold; scores are the metric's last values; every metric reaches the steps", async () => {
    const j = job({ steps: 3, base: 0.5, mode: "ok" });
    const { outcome, epochs, log } = await run(j);
    expect(outcome.state).toBe("completed");
    expect(outcome.folds.map((f) => [f.fold, f.score])).toEqual([
      [0, 0.8],
      [1, 0.81],
    ]);
    expect(outcome.folds[0]?.metrics).toEqual({ score: 0.8, loss: 1 / 3 });
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(epochs[0]?.value).toBeCloseTo(0.605);
    expect(epochs[2]?.folds[1]).toEqual({ score: 0.81, loss: 1 / 3 });
    // output and stderr go to the trial log, malformed report lines are named there
    expect(log.some((l) => l.message === "hello from fold 1" && l.fields.stream === "stdout")).toBe(true);
    expect(log.some((l) => l.message === "a warning on stderr" && l.fields.stream === "stderr")).toBe(true);
    expect(log.some((l) => /report line ignored: "step" must be a non-negative integer/.test(l.message))).toBe(true);
  });

  it("passes params as --name=value and HPO_* variables, and no secret of the worker", async () => {
    const j = job(
      { mode: "ok", steps: 1, base: 0.1, "opt.lr": 0.01, flag: true },
      {
        program: {
          path: join(FIXTURES, "fold.py"),
          command: DEFAULT_PROGRAM_COMMAND,
          paths: { "opt.lr": ["opt", "lr"] },
        },
      },
    );
    await run(j);
    const { argv, env } = seen(j, 1);
    expect(argv).toEqual(["--mode=ok", "--steps=1", "--base=0.1", "--opt.lr=0.01", "--flag=True"]);
    expect(JSON.parse(env.HPO_PARAMS as string)).toEqual({
      mode: "ok",
      steps: 1,
      base: 0.1,
      opt: { lr: 0.01 },
      flag: true,
    });
    expect(env).toMatchObject({
      HPO_FOLD: "1",
      HPO_FOLDS: "2",
      HPO_CV_SEED: "7",
      HPO_CV_STRATIFIED: "0",
      HPO_TRIAL_ID: j.trialId,
      HPO_SWEEP_ID: "s1",
      HPO_OUTPUT_DIR: join(runsDir, "s1", j.trialId, "fold-1"),
      MY_VAR: "mine",
    });
    expect(env.PYTHONPATH?.split(":")[0]).toBe(PROGRAM_KIT_PATHS.python);
    expect(env.REDIS_URL).toBeUndefined();
    expect(env.HPO_TOKEN).toBeUndefined();
    expect(env.CUDA_VISIBLE_DEVICES).toBeUndefined();
    const allowed = new Set(["PATH", "HOME", "LANG", "MY_VAR", "PYTHONPATH", "PYTHONUNBUFFERED"]);
    // the python3 on PATH may be a pyenv shim (a script) that sets variables of its own
    const shim = /^(_?PYENV.*|PWD|SHLVL|LC_CTYPE)$/;
    expect(Object.keys(env).filter((k) => !k.startsWith("HPO_") && !allowed.has(k) && !shim.test(k))).toEqual([]);
  });

  it("keeps shell syntax in parameter values literal (never a shell)", async () => {
    const marker = join(runsDir, "pwned");
    const j = job({ mode: "ok", steps: 1, evil: `$(touch ${marker})`, semi: `; rm -rf ${runsDir}` });
    const { outcome } = await run(j);
    expect(outcome.state).toBe("completed");
    expect(seen(j, 0).argv).toContain(`--evil=$(touch ${marker})`);
    expect(seen(j, 0).argv).toContain(`--semi=; rm -rf ${runsDir}`);
    expect(existsSync(marker)).toBe(false);
  });

  it("runs node programs and expands the other macros", async () => {
    const j = job(
      { base: 1 },
      {
        metric: { name: "val/acc", goal: "maximize" },
        program: {
          path: join(FIXTURES, "fold.mjs"),
          command: ["${interpreter}", "${program}", "${args_no_hyphens}", "${args_json}", "--f=${args_json_file}"],
        },
      },
    );
    const { outcome, log } = await run(j);
    expect(outcome.folds.map((f) => f.score)).toEqual([0.5, 0.5]);
    const file = join(runsDir, "s1", j.trialId, "fold-0", "params.json");
    expect(log.map((l) => l.message)).toContain(`argv ${JSON.stringify(["base=1", '{"base":1}', `--f=${file}`])}`);
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({ base: 1 });
  });

  it("refuses a program outside HPO_PROGRAM_DIRS (symlinks resolved), with .. segments, or missing", async () => {
    const outside = await run(job({}), host({ programDirs: [runsDir] }));
    expect(outside.outcome).toMatchObject({ state: "failed", errorCode: "INVALID_SPEC" });
    expect(outside.outcome.error).toMatch(/is outside the program directories \(HPO_PROGRAM_DIRS\)/);
    const link = join(runsDir, "link.py");
    symlinkSync(join(FIXTURES, "fold.py"), link);
    const linked = await run(
      job({}, { program: { path: link, command: DEFAULT_PROGRAM_COMMAND } }),
      host({ programDirs: [runsDir] }),
    );
    expect(linked.outcome.error).toMatch(/resolves outside the program directories \(symlink escape refused\)/);
    const dotdot = await run(job({}, { program: { path: "../fold-process.ts", command: DEFAULT_PROGRAM_COMMAND } }));
    expect(dotdot.outcome.error).toMatch(/must not contain "\.\." segments/);
    // refused even when it would resolve inside: the rule datasets and model modules follow too
    const relative = await run(
      job({ steps: 1 }, { program: { path: "../fixtures/fold.py", command: DEFAULT_PROGRAM_COMMAND } }),
    );
    expect(relative.outcome.error).toMatch(/must not contain "\.\." segments/);
    const missing = await run(job({}, { program: { path: "nope.py", command: DEFAULT_PROGRAM_COMMAND } }));
    expect(missing.outcome.error).toMatch(
      /program "nope.py" not found in the program directories \(HPO_PROGRAM_DIRS\)/,
    );
  });

  it("fails the attempt with the last stderr line when a fold exits non-zero", async () => {
    const { log, outcome } = await run(job({ mode: "fail" })).catch((e: unknown) => ({
      outcome: e,
      log: [] as Line[],
    }));
    expect(outcome).toBeInstanceOf(ProgramFailure);
    expect((outcome as Error).message).toMatch(/^fold \d: fold.py exited with code 3: ValueError: boom$/);
    void log;
  });

  it("fails the attempt when the program cannot start (a missing interpreter)", async () => {
    const j = job(
      {},
      { program: { path: join(FIXTURES, "fold.py"), command: ["hpo-no-such-interpreter", "${program}"] } },
    );
    const error = await run(j).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProgramFailure);
    expect((error as Error).message).toMatch(/^fold \d: fold.py could not start: spawn hpo-no-such-interpreter ENOENT/);
  });

  it("fails a fold that exits 0 without reporting the metric, naming what it reported", async () => {
    const { outcome } = await run(job({ mode: "nometric" }));
    expect(outcome.state).toBe("failed");
    expect(outcome.error).toMatch(/exited 0 without reporting score \(reported: loss;/);
  });

  it("prunes on the K-fold mean: every process group ends, the programs' children too", async () => {
    const j = job({ mode: "hang" });
    const { outcome, epochs } = await run(j, host(), (r) => r.epoch === 1);
    expect(outcome).toMatchObject({ state: "pruned", prunedAt: 1 });
    expect(epochs[0]?.value).toBeCloseTo(0.15);
    for (const fold of [0, 1]) {
      const pid = Number(readFileSync(join(runsDir, "s1", j.trialId, `fold-${fold}`, "child.pid"), "utf8"));
      await waitFor(`the child of fold ${fold} to end`, async () => !processAlive(pid), { timeoutMs: 20_000 });
    }
  });

  it("cancels: the signal ends every fold", async () => {
    const j = job({ mode: "hang" });
    const ac = new AbortController();
    const done = run(
      j,
      host(),
      () => {
        ac.abort();
        return false;
      },
      ac.signal,
    );
    const { outcome } = await done;
    expect(outcome.state).toBe("cancelled");
    const pid = Number(readFileSync(join(runsDir, "s1", j.trialId, "fold-0", "child.pid"), "utf8"));
    await waitFor("the program's child to end", async () => !processAlive(pid), { timeoutMs: 20_000 });
  });

  it("kills a fold that runs past budget.max_trial_seconds", async () => {
    const { outcome } = await run(job({ mode: "hang" }, { maxTrialSeconds: 1 }));
    expect(outcome.state).toBe("failed");
    expect(outcome.error).toMatch(/ran longer than budget.max_trial_seconds \(1 s\) and was killed/);
  });

  it("ends a fold whose process group goes over HPO_FOLD_MEMORY_MB, naming the limit, children included", async () => {
    const j = job({ mode: "memory" }, { cv: { folds: 1, stratified: false, seed: 7 } });
    const { outcome } = await run(j, host({ limits: { memoryMb: 100 } }));
    expect(outcome.state).toBe("failed");
    expect(outcome.error).toMatch(
      /^fold 0 used \d+ MB of memory, over the worker's HPO_FOLD_MEMORY_MB \(100\), and was killed$/,
    );
    const pid = Number(readFileSync(join(runsDir, "s1", j.trialId, "fold-0", "child.pid"), "utf8"));
    await waitFor("the child holding the memory to end", async () => !processAlive(pid), { timeoutMs: 20_000 });
  });

  it("ends a fold whose process group goes over HPO_FOLD_CPU_SECONDS, naming the limit", async () => {
    const j = job({ mode: "spin" }, { cv: { folds: 1, stratified: false, seed: 7 } });
    const { outcome } = await run(j, host({ limits: { cpuSeconds: 1 } }));
    expect(outcome.state).toBe("failed");
    expect(outcome.error).toMatch(
      /^fold 0 used [\d.]+ s of CPU time, over the worker's HPO_FOLD_CPU_SECONDS \(1\), and was killed$/,
    );
  });

  it("gives each running process a GPU of its own and runs at most `slots` at once", async () => {
    const h = host({ slots: createSlotPool(8, ["0", "1"]) });
    const jobs = [0, 1, 2].map(() =>
      job({ mode: "ok", steps: 2, base: 0 }, { cv: { folds: 3, stratified: true, seed: 0 } }),
    );
    await Promise.all(jobs.map((j) => run(j, h)));
    const gpus = jobs.flatMap((j) => [0, 1, 2].map((f) => seen(j, f).env.CUDA_VISIBLE_DEVICES));
    expect(new Set(gpus)).toEqual(new Set(["0", "1"]));
    expect(h.slots.size).toBe(2);
    expect(h.slots.busy).toBe(0);
  });
});
