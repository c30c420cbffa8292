import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createRng, kFoldSplit, type Rng, shuffled } from "@hpo/core";
import { kfoldIndices } from "@hpo/program-kit";
import { parseCsvDataset, splitFolds } from "@hpo/trainer";
import { expect, it } from "vitest";
import { describeNeeding } from "../helpers/needs.ts";
import { REPO_ROOT } from "../helpers/processes.ts";
import { pythonMissing, runPython } from "./run-python.ts";

/** One split to make three ways: @hpo/core's kFoldSplit, hpo.mjs's kfoldIndices, hpo.py's kfold_indices. */
interface Case {
  readonly n: number;
  readonly folds: number;
  readonly seed: number;
  readonly stratified: boolean;
  readonly labels?: readonly (number | string)[];
}

/** Every fold's validation rows, or the fact that the split was refused. */
type Outcome = number[][] | { error: string };

const DRIVER = join(REPO_ROOT, "test/program-kit/kfold-driver.py");

// Label alphabets chosen where a locale-aware or code-point order would differ from hpo's class
// order: case, accents, numeric strings ("10" vs "9", "1" vs "1.0" vs 1), signs, infinities,
// surrogate pairs against high BMP characters, whitespace around numbers, numbers mixed with text.
const ALPHABETS: readonly (readonly (number | string)[])[] = [
  [0, 1, 2],
  ["setosa", "versicolor", "virginica"],
  ["b", "B", "a", "A", "é", "e", "Z", "_", "-"],
  ["10", "9", "1", "1.0", "-2", "+3", " 4 ", "1e1", ".5", "inf", "-Infinity"],
  [3, "3", 2.5, "x", "10", -1, "Y", 1e21],
  ["😀", "\uffff", "\ud7ff", "a", "\u00a0 7", "NaN"],
  [-0.5, 0.25, 1e-7, 100, -100],
];

/** Labels of `n` rows from a random alphabet, every class at least `folds` times (so the split is not refused). */
function randomLabels(rng: Rng, n: number, folds: number): (number | string)[] {
  const alphabet = ALPHABETS[rng.int(0, ALPHABETS.length - 1)] as readonly (number | string)[];
  const classes = alphabet.slice(0, rng.int(1, Math.min(alphabet.length, Math.floor(n / folds))));
  const labels = Array.from({ length: n }, (_, i) =>
    i < classes.length * folds ? classes[i % classes.length] : classes[rng.int(0, classes.length - 1)],
  ) as (number | string)[];
  return shuffled(labels, rng);
}

function makeCases(): Case[] {
  const rng = createRng(20240613);
  const cases: Case[] = [];
  const seeds = [0, 1, 42, -1, -123456789, 2 ** 31, 2 ** 32 - 1, 2 ** 32 + 5];
  for (let i = 0; i < 400; i++) {
    const n = rng.int(2, i % 10 === 0 ? 2000 : 120);
    const folds = rng.int(2, Math.min(10, n));
    const seed = i < seeds.length ? (seeds[i] as number) : rng.int(-(2 ** 31), 2 ** 32 - 1);
    const withLabels = i % 4 !== 3;
    cases.push({
      n,
      folds,
      seed,
      stratified: i % 5 !== 4,
      ...(withLabels && { labels: randomLabels(rng, n, folds) }),
    });
  }
  // refusals: too many folds, a class smaller than the folds, one fold, labels that do not match n, NaN
  cases.push({ n: 3, folds: 5, seed: 0, stratified: false });
  cases.push({ n: 6, folds: 3, seed: 0, stratified: true, labels: ["a", "a", "a", "a", "b", "b"] });
  cases.push({ n: 6, folds: 1, seed: 0, stratified: false });
  cases.push({ n: 6, folds: 2, seed: 0, stratified: true, labels: [0, 1, 0, 1] });
  return cases;
}

function viaCore(c: Case): Outcome {
  try {
    return kFoldSplit(c.n, c.folds, c.seed, c.stratified ? c.labels : undefined).map((f) => [...f.validation]);
  } catch (e) {
    return { error: (e as Error).message };
  }
}

function viaJs(c: Case): Outcome {
  const saved = { ...process.env };
  process.env.HPO_FOLDS = String(c.folds);
  process.env.HPO_CV_SEED = String(c.seed);
  process.env.HPO_CV_STRATIFIED = c.stratified ? "1" : "0";
  try {
    return Array.from({ length: c.folds }, (_, f) => kfoldIndices(c.n, c.labels, f).validation);
  } catch (e) {
    return { error: (e as Error).message };
  } finally {
    process.env = saved;
  }
}

async function viaPython(cases: readonly Case[]): Promise<Outcome[]> {
  const r = await runPython([DRIVER], {}, JSON.stringify(cases));
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Outcome[];
}

/** The outcome with refusal messages reduced to "refused", as the three say it in their own words. */
const shape = (o: Outcome) => ("error" in o ? "refused" : o);

describeNeeding("python3", await pythonMissing())("K-fold split across @hpo/core, hpo.mjs and hpo.py", () => {
  it("all three make the same folds for 404 cases of rows, folds, seeds, stratification and labels", async () => {
    const cases = makeCases();
    const py = await viaPython(cases);
    let refused = 0;
    cases.forEach((c, i) => {
      const core = viaCore(c);
      if ("error" in core) refused++;
      const label = `case ${i}: ${JSON.stringify({ ...c, labels: c.labels?.slice(0, 8) })}`;
      expect(shape(viaJs(c)), label).toEqual(shape(core));
      expect(shape(py[i] as Outcome), label).toEqual(shape(core));
    });
    // the refusals pushed last, and no generated case is refused: the cases test splits, not errors
    expect(refused).toBe(4);
  });

  it("names the problem when a split is refused, in both helpers", async () => {
    const bad: Case = { n: 6, folds: 3, seed: 0, stratified: true, labels: ["a", "a", "a", "a", "b", "b"] };
    const [py] = await viaPython([bad]);
    const js = viaJs(bad);
    for (const o of [py, js])
      expect(o).toEqual({ error: expect.stringMatching(/class "b" has 2 rows, fewer than cv.folds \(3\)/) });
  });

  it("a program reading a CSV's labels as text gets the built-in trainer's folds for that file", async () => {
    // mixed-case text, numeric-looking text and a surrogate pair: the trainer's class ids and the
    // helpers' class order must agree on all of them.
    const classes = ["Setosa", "iris-b", "10", "9", "Ärger", "😀"];
    const rows = Array.from({ length: 90 }, (_, i) => `${i % 7},${(i * 3) % 11},${classes[(i * 7) % classes.length]}`);
    const csv = `x,y,species\n${rows.join("\n")}\n`;
    const data = parseCsvDataset(csv, { name: "mixed.csv", task: "classification" });
    const texts = rows.map((r) => r.split(",")[2] as string);
    const iris = readFileSync(join(REPO_ROOT, "packages/trainer/datasets/iris.csv"), "utf8");
    const irisData = parseCsvDataset(iris, { name: "iris", task: "classification" });
    const irisTexts = iris
      .trim()
      .split(/\r?\n/)
      .slice(1)
      .map((l) => l.split(",").at(-1) as string);
    for (const [d, labels] of [
      [data, texts],
      [irisData, irisTexts],
    ] as const) {
      for (const cv of [
        { folds: 5, stratified: true, seed: 0 },
        { folds: 3, stratified: true, seed: 77 },
      ]) {
        const trainer = splitFolds(d, cv).map((f) => [...f.validation]);
        const c: Case = { n: d.nRows, ...cv, labels };
        expect(viaJs(c)).toEqual(trainer);
        expect((await viaPython([c]))[0]).toEqual(trainer);
      }
    }
  });
});
