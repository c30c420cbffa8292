import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, extname, join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { parse } from "yaml";
import { describeNeeding } from "../helpers/needs.ts";
import { REPO_ROOT } from "../helpers/processes.ts";
import { pythonMissing, run } from "./run-python.ts";

const EXAMPLES = join(REPO_ROOT, "examples/programs");
const out = mkdtempSync(join(tmpdir(), "hpo-example-programs-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

interface ExampleSweep {
  readonly program: string;
  readonly metric: { readonly name: string };
  readonly parameters: Record<string, Record<string, unknown>>;
  readonly cv: { readonly folds: number; readonly seed: number; readonly stratified: boolean };
}

/** A value from the middle of each parameter's range (the first of `values`), `epochs` overridden. */
function middleParams(sweep: ExampleSweep, epochs: number): Record<string, number> {
  const params: Record<string, number> = {};
  for (const [name, p] of Object.entries(sweep.parameters)) {
    const { min, max } = p as { min: number; max: number };
    if ("value" in p) params[name] = p.value as number;
    else if ("values" in p) params[name] = (p.values as number[])[0] as number;
    else if (p.distribution === "log_uniform_values") params[name] = Math.sqrt(min * max);
    else params[name] = (min + max) / 2;
  }
  return { ...params, epochs };
}

/** Runs a sweep's program as the worker runs one fold: HPO_* env, parameters as JSON and as --name=value. */
function runFold(file: string, fold: number, epochs: number) {
  const sweep = parse(readFileSync(join(EXAMPLES, file), "utf8")) as ExampleSweep;
  const program = join(dirname(join(EXAMPLES, file)), sweep.program);
  const params = middleParams(sweep, epochs);
  const interpreter = extname(program) === ".py" ? "python3" : process.execPath;
  const outputDir = join(out, file, `fold-${fold}`);
  const args = [program, ...Object.entries(params).map(([k, v]) => `--${k}=${v}`)];
  const env = {
    PYTHONPATH: join(REPO_ROOT, "packages/program-kit/python"),
    HPO_PARAMS: JSON.stringify(params),
    HPO_FOLD: String(fold),
    HPO_FOLDS: String(sweep.cv.folds),
    HPO_CV_SEED: String(sweep.cv.seed),
    HPO_CV_STRATIFIED: sweep.cv.stratified ? "1" : "0",
    HPO_TRIAL_ID: "t1",
    HPO_SWEEP_ID: "s1",
    HPO_OUTPUT_DIR: outputDir,
  };
  return { sweep, outputDir, result: run(interpreter, args, env, "", tmpdir()) };
}

describeNeeding("python3", await pythonMissing())("examples/programs run as hpo runs a fold", () => {
  it.each([
    ["wine-softmax.yaml", 12, 0.9],
    ["digits-mlp.yaml", 4, 0.85],
  ])("%s: its program trains, reports every epoch and saves a model", async (file, epochs, accuracy) => {
    const { sweep, outputDir, result } = runFold(file, 1, epochs);
    const r = await result;
    expect(r.code, r.stderr).toBe(0);
    const reports = r.stdout
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { hpo: Record<string, number> }).hpo);
    expect(reports.map((m) => m.step)).toEqual([...Array(epochs).keys()]);
    for (const m of reports) {
      expect(Object.keys(m).sort()).toEqual(["step", "train_loss", "val_accuracy", "val_loss"]);
      expect(Object.values(m).every(Number.isFinite)).toBe(true);
    }
    const last = reports.at(-1) as Record<string, number>;
    expect(last[sweep.metric.name]).toBeGreaterThanOrEqual(accuracy);
    expect((reports[0] as Record<string, number>).train_loss).toBeGreaterThan(last.train_loss as number);
    expect(existsSync(join(outputDir, "model.json"))).toBe(true);
  });
});
