import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, expect, it } from "vitest";
import { describeNeeding } from "../helpers/needs.ts";
import { REPO_ROOT } from "../helpers/processes.ts";
import { pythonMissing, run, runPython } from "./run-python.ts";

const HPO_MJS = pathToFileURL(join(REPO_ROOT, "packages/program-kit/js/hpo.mjs")).href;
const dir = mkdtempSync(join(tmpdir(), "hpo-helpers-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The environment of fold 2 of 4 of a trial with nested parameters. */
const foldEnv = (outputDir: string) => ({
  HPO_PARAMS: JSON.stringify({ lr: 0.5, opt: { beta: 0.9 } }),
  HPO_FOLD: "2",
  HPO_FOLDS: "4",
  HPO_OUTPUT_DIR: outputDir,
});

const PY = `
import hpo
p = hpo.params({"lr": 1, "epochs": 3, "opt": {"beta": 0.1, "eps": 1e-8}})
print(sorted(p.items()), hpo.fold(), hpo.folds(), hpo.output_dir())
hpo.report(0, {"val_accuracy": 0.75}, loss=2)
hpo.report(1, **{"val/acc": 1})
for bad in [lambda: hpo.report(-1, a=1), lambda: hpo.report(1.5, a=1), lambda: hpo.report(2),
            lambda: hpo.report(2, a=float("nan")), lambda: hpo.report(2, {"step": 1}), lambda: hpo.report(2, a="x"),
            lambda: hpo.kfold_indices(10, fold=4)]:
    try:
        bad()
    except ValueError as e:
        print("error:", e)
`;

const JS = `
import * as hpo from ${JSON.stringify(HPO_MJS)};
const p = hpo.params({ lr: 1, epochs: 3, opt: { beta: 0.1, eps: 1e-8 } });
console.log(JSON.stringify(p), hpo.fold(), hpo.folds(), hpo.outputDir());
hpo.report(0, { val_accuracy: 0.75, loss: 2 });
hpo.report(1, { "val/acc": 1 });
for (const bad of [() => hpo.report(-1, { a: 1 }), () => hpo.report(1.5, { a: 1 }), () => hpo.report(2, {}),
    () => hpo.report(2, { a: Number.NaN }), () => hpo.report(2, { step: 1 }), () => hpo.report(2, { a: "x" }),
    () => hpo.kfoldIndices(10, null, 4)]) {
  try { bad(); } catch (e) { console.log("error:", e.message); }
}
`;

describeNeeding("python3", await pythonMissing())("the program helpers hpo.py and hpo.mjs", () => {
  it("hpo.py reads the fold's environment, writes protocol lines and names bad reports", async () => {
    const out = join(dir, "py", "fold-2");
    const r = await runPython(["-c", PY], foldEnv(out));
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(out)).toBe(true);
    expect(r.stdout.trim().split("\n")).toEqual([
      `[('epochs', 3), ('lr', 0.5), ('opt', {'beta': 0.9, 'eps': 1e-08})] 2 4 ${out}`,
      '{"hpo":{"step":0,"val_accuracy":0.75,"loss":2}}',
      '{"hpo":{"step":1,"val/acc":1}}',
      "error: hpo.report: step must be a non-negative integer, got -1",
      "error: hpo.report: step must be a non-negative integer, got 1.5",
      "error: hpo.report: step 2 has no metrics",
      "error: hpo.report: step 2: metric 'a' must be a finite number, got nan",
      "error: hpo.report: step 2: metric name 'step' is not allowed",
      "error: hpo.report: step 2: metric 'a' must be a finite number, got 'x'",
      "error: hpo.kfold_indices: fold must be an integer in [0, 3], got 4",
    ]);
  });

  it("hpo.mjs does the same in JavaScript spelling", async () => {
    const out = join(dir, "js", "fold-2");
    const r = await run(process.execPath, ["--input-type=module", "-e", JS], foldEnv(out));
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(out)).toBe(true);
    expect(r.stdout.trim().split("\n")).toEqual([
      `{"lr":0.5,"epochs":3,"opt":{"beta":0.9,"eps":1e-8}} 2 4 ${out}`,
      '{"hpo":{"step":0,"val_accuracy":0.75,"loss":2}}',
      '{"hpo":{"step":1,"val/acc":1}}',
      "error: hpo.report: step must be a non-negative integer, got -1",
      "error: hpo.report: step must be a non-negative integer, got 1.5",
      "error: hpo.report: step 2 has no metrics",
      'error: hpo.report: step 2: metric "a" must be a finite number, got NaN',
      'error: hpo.report: step 2: metric name "step" is not allowed',
      'error: hpo.report: step 2: metric "a" must be a finite number, got x',
      "error: hpo.kfoldIndices: fold must be an integer in [0, 3], got 4",
    ]);
  });

  it("in the refit run (HPO_REFIT=1, fold 0 of 1) both give every row as training and validation rows", async () => {
    const env = { HPO_REFIT: "1", HPO_FOLD: "0", HPO_FOLDS: "1", HPO_CV_SEED: "3", HPO_OUTPUT_DIR: join(dir, "refit") };
    const py = await runPython(
      ["-c", "import hpo\nt, v = hpo.kfold_indices(5, labels=[0, 1, 0, 1, 0])\nprint(hpo.refit(), t, v)"],
      env,
    );
    expect(py.code, py.stderr).toBe(0);
    expect(py.stdout.trim()).toBe("True [0, 1, 2, 3, 4] [0, 1, 2, 3, 4]");
    const js = await run(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `import * as hpo from ${JSON.stringify(HPO_MJS)}; console.log(hpo.refit(), JSON.stringify(hpo.kfoldIndices(5, [0, 1, 0, 1, 0])));`,
      ],
      env,
    );
    expect(js.code, js.stderr).toBe(0);
    expect(js.stdout.trim()).toBe('true {"train":[0,1,2,3,4],"validation":[0,1,2,3,4]}');
  });
});
