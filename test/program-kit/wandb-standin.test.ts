import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { describeNeeding } from "../helpers/needs.ts";
import { REPO_ROOT } from "../helpers/processes.ts";
import { type Finished, pythonMissing, run } from "./run-python.ts";

const STANDIN = join(REPO_ROOT, "packages/program-kit/python/wandb-standin");
const PROGRAMS = join(REPO_ROOT, "test/program-kit/wandb-programs");
const out = mkdtempSync(join(tmpdir(), "hpo-wandb-standin-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Runs a W&B program with python3 and only the stand-in on PYTHONPATH, as a fold of a trial. */
function runWandbProgram(file: string, params: object, args: readonly string[] = []): Promise<Finished> {
  return run("python3", [join(PROGRAMS, file), ...args], {
    PYTHONPATH: STANDIN,
    HPO_PARAMS: JSON.stringify(params),
    HPO_FOLD: "1",
    HPO_FOLDS: "3",
    HPO_TRIAL_ID: "t7",
    HPO_SWEEP_ID: "sw1",
    HPO_OUTPUT_DIR: join(out, file),
  });
}

const lines = (text: string) => text.split("\n").filter((l) => l !== "");
const warning = (what: string) => `wandb stand-in (hpo): ${what}`;

describeNeeding("python3", await pythonMissing())("the wandb stand-in runs W&B programs unchanged", () => {
  it("maps init, config, log, summary and finish of a quickstart-style program onto hpo's lines", async () => {
    const r = await runWandbProgram("quickstart.py", { learning_rate: 0.25, epochs: 5 });
    expect(r.code, r.stderr).toBe(0);
    // the trial's parameters win over the program's config; the program's other keys stay; the
    // summary comes one step after the last logged (the table's step logged no number)
    expect(lines(r.stdout)).toEqual([
      "lr=0.25 epochs=5 arch=CNN",
      '{"hpo":{"step":0,"acc":0.5,"loss":0.5}}',
      '{"hpo":{"step":1,"acc":0.625,"loss":0.375}}',
      '{"hpo":{"step":2,"acc":0.6875,"loss":0.3125}}',
      '{"hpo":{"step":3,"best_acc":0.6875}}',
    ]);
    // one warning per name, however often it is called
    expect(lines(r.stderr)).toEqual([
      warning("wandb.watch is not supported under hpo; it does nothing"),
      warning("wandb.Table is not supported under hpo; it does nothing"),
      warning("wandb.log: 'predictions' is not a finite number; not reported"),
    ]);
  });

  it("follows W&B's step rules, takes argparse configs and keeps the sweep's keys", async () => {
    const params = { lr: 0.125, opt: { name: "adam", beta: 0.9 } };
    const r = await runWandbProgram("steps.py", params, ["--lr=0.125", "--opt.name=adam", "--opt.beta=0.9"]);
    expect(r.code, r.stderr).toBe(0);
    expect(lines(r.stdout)).toEqual([
      '{"extra": 1, "layers": 2, "lr": 0.125, "opt": {"beta": 0.9, "name": "adam"}}',
      '{"hpo":{"step":5,"a":1,"b":2}}',
      '{"hpo":{"step":7,"c":3,"e":5,"f.g":6}}',
      '{"hpo":{"step":8,"i":7}}',
    ]);
    expect(lines(r.stderr)).toEqual([
      warning("config key 'lr' is set by the hpo sweep; the program's value is ignored"),
      warning("wandb.log: step 6 is before the current step 7; that data is ignored (as in W&B)"),
      warning("wandb.log: 'h' is not a finite number; not reported"),
    ]);
  });

  it("runs an in-script sweep's function once, makes integrations no-ops and finishes at exit", async () => {
    const r = await runWandbProgram("agent.py", { x: 2 });
    expect(r.code, r.stderr).toBe(0);
    expect(lines(r.stdout)).toEqual(["sweep sw1", '{"hpo":{"step":0,"score":4}}', '{"hpo":{"step":1,"final":3}}']);
    expect(lines(r.stderr)).toEqual([
      warning("wandb.integration.keras.WandbMetricsLogger is not supported under hpo; it does nothing"),
      warning("wandb.sweep: under hpo the sweep file given to hpo decides; this config is ignored"),
    ]);
  });
});
