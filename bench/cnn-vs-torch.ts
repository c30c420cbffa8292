/**
 * CNN training speed and accuracy (issue 14): hpo's K-fold training of a LeNet-style layer list
 * against the PyTorch reference (../shared/reference/torch_cnn_kfold.py), same run, same machine:
 * the first N Fashion-MNIST training images (Debian's dataset-fashion-mnist), 3 stratified folds,
 * 5 epochs, batch 64, Adam 1e-3 (β 0.9, 0.999, ε 1e-8, bias-corrected), dropout 0.25, softmax
 * cross-entropy averaged over each mini-batch, every row of a fold trained once per epoch in a
 * fresh shuffle (the last batch partial), the last epoch's validation accuracy as each fold's
 * score. Both sides feed the pixels scaled to [0, 1] (hpo: `standardize: false`; by default it
 * would standardize every pixel with the fold's training rows) and initialize as PyTorch does
 * (hpo: `initializer: pytorch`, kernels and biases of conv, dense and output layers
 * U(±1/√fan_in); hpo's default for relu is he-normal kernels and zero biases). With hpo's
 * defaults on either point the accuracies differ by about 3 points (docs/performance.md, "CNN
 * training"). What still differs: the random streams (initial weights, shuffles, dropout masks)
 * and the fold assignment (hpo's stratified split, not scikit-learn's): the reference alone gives
 * 83.26 % at seed 0 and 84.16 to 84.86 % at seeds 1 to 5 (10,000 images), so one run of each side
 * may differ by a point from that alone.
 *
 * Prints both wall times, the ratio torch/hpo (goal ≥ 0.5 on wasm) and both accuracies (goal:
 * within 1.5 points), then both sides' CPU seconds over the same spans and their ratio: on a
 * loaded machine the wall times of two runs minutes apart see different loads, their CPU times
 * much less so. The reference runs with OMP_NUM_THREADS=1 (and the MKL and OpenBLAS equivalents,
 * `TORCH_ONE_THREAD_ENV`): its `torch.set_num_threads(1)` alone leaves a second OpenMP thread
 * spinning, which doubled torch's CPU seconds; a warning is printed if torch's CPU seconds still
 * exceed its wall time by more than 10 %.
 *
 *   pnpm exec tsx bench/cnn-vs-torch.ts [--images 10000] [--epochs 5] [--folds 3] [--batch-size 64]
 *       [--backend auto|wasm|cpu|tensorflow|tensorflow-gpu] [--reference …] [--python /usr/bin/python3]
 *       [--repeat N] [--seed 0] [--seeds 3] [--json]
 *
 * `--seed` seeds both sides (hpo's trial and folds; the reference's --seed). `--seeds N` runs
 * seeds seed … seed + N − 1 on both sides, alternating, and pools them: accuracy and ± over all
 * N × folds scores, times summed, each seed's mean on a line of its own. The default is 3 seeds:
 * one seed's accuracies are noisy (see above), and the accuracy goal is about the sides, not a
 * draw. `--seeds 1` for a quicker speed-only run.
 *
 * Needs: apt-get install -y --no-install-recommends python3-torch python3-sklearn dataset-fashion-mnist
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { EpochReport, LayerSpec, TrialJob } from "../packages/core/src/index.ts";
import { type BackendPreference, selectBackend, trainTrial } from "../packages/trainer/src/index.ts";
import { meanStd, printSides, type SideResult, TORCH_ONE_THREAD_ENV } from "./accuracy-vs-torch.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** The reference's network as a layer list (hpo adds the 10-unit output layer). */
export const LENET: readonly LayerSpec[] = [
  { type: "conv2d", filters: 16, kernel_size: 5, padding: "same", activation: "relu" },
  { type: "max_pool2d", pool_size: 2 },
  { type: "conv2d", filters: 32, kernel_size: 5, padding: "same", activation: "relu" },
  { type: "max_pool2d", pool_size: 2 },
  { type: "flatten" },
  { type: "dense", units: 128, activation: "relu" },
  { type: "dropout", rate: { param: "dropout" } },
];

interface Settings {
  readonly images: number;
  readonly folds: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly dropout: number;
  readonly seed: number;
}

/** A side's result with the CPU seconds of its process over the timed span (all its threads). */
interface TimedSide extends SideResult {
  readonly cpuSeconds: number;
}

/**
 * Runs the reference script as its own `__main__` with `time.perf_counter` wrapped to note the
 * process's CPU time at each call: the script reads the clock exactly at the start and the end of
 * its timed span (after loading the data), so the two notes bound the same span as its `wall_s`.
 * Prints the CPU seconds between the first and last note and the number of notes to stderr as
 * `cpu-span <seconds> <notes>` (runTorch insists on two).
 */
const CPU_SPAN = [
  "import atexit, runpy, sys, time",
  "import numpy, sklearn.model_selection, torch  # imported before the clock is wrapped",
  "clock, notes = time.perf_counter, []",
  "def noted():",
  "    notes.append(time.process_time())",
  "    return clock()",
  "time.perf_counter = noted",
  "atexit.register(lambda: sys.stderr.write('cpu-span %f %d\\n' % (notes[-1] - notes[0], len(notes))) if len(notes) > 1 else None)",
  "sys.argv = sys.argv[1:]",
  "runpy.run_path(sys.argv[0], run_name='__main__')",
].join("\n");

async function runHpo(s: Settings): Promise<TimedSide> {
  const job: TrialJob = {
    sweepId: "bench",
    trialId: "t0000",
    // as the reference: pixels in [0, 1], PyTorch's initialization, Adam's defaults spelled out
    params: {
      learning_rate: s.learningRate,
      batch_size: s.batchSize,
      optimizer: "adam",
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-8,
      dropout: s.dropout,
      initializer: "pytorch",
      standardize: false,
    },
    dataset: { name: "fashion_mnist", task: "classification", images: s.images },
    model: { hidden: [], activation: "relu", layers: LENET },
    cv: { folds: s.folds, stratified: true, seed: s.seed },
    metric: { name: "val_accuracy", goal: "maximize" },
    maxEpochs: s.epochs,
    seed: s.seed,
  };
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const out = await trainTrial(job, { report: async (_r: EpochReport) => false }, new AbortController().signal);
  const wallSeconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  if (out.state !== "completed") throw new Error(`hpo trial ended ${out.state}: ${out.error ?? ""}`);
  const folds = out.folds.map((f) => f.score);
  return { folds, ...meanStd(folds), wallSeconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

function runTorch(s: Settings, reference: string, python: string): TimedSide {
  if (!existsSync(reference))
    throw new Error(`reference script not found: ${reference} (pass --reference or set HPO_TORCH_CNN_REFERENCE)`);
  const args = [
    "-c",
    CPU_SPAN,
    reference,
    "--images",
    String(s.images),
    "--folds",
    String(s.folds),
    "--epochs",
    String(s.epochs),
  ];
  args.push("--batch-size", String(s.batchSize), "--lr", String(s.learningRate), "--dropout", String(s.dropout));
  args.push("--seed", String(s.seed), "--json");
  const run = spawnSync(python, args, { encoding: "utf8", maxBuffer: 1 << 24, env: TORCH_ONE_THREAD_ENV });
  if (run.status !== 0)
    throw new Error(`${python} ${reference} failed (${run.status}): ${run.stderr.trim().split("\n").at(-1)}`);
  const parsed = JSON.parse(run.stdout.trim().split("\n").at(-1) ?? "") as {
    folds: number[];
    mean: number;
    std: number;
    wall_s: number;
  };
  const span = /^cpu-span ([0-9.]+) ([0-9]+)$/m.exec(run.stderr);
  if (span?.[2] !== "2")
    throw new Error(`${python} ${reference}: expected one timed span (cpu-span line on stderr), got ${span?.[0]}`);
  return {
    folds: parsed.folds,
    mean: parsed.mean,
    std: parsed.std,
    wallSeconds: parsed.wall_s,
    cpuSeconds: Number(span[1]),
  };
}

/** A side's runs over several seeds as one: every fold's score, summed times, and each run's mean. */
interface Seeded extends TimedSide {
  readonly perSeed: readonly number[];
}

function pooled(runs: readonly TimedSide[]): Seeded {
  const folds = runs.flatMap((r) => r.folds);
  return {
    folds,
    ...meanStd(folds),
    wallSeconds: runs.reduce((a, r) => a + r.wallSeconds, 0),
    cpuSeconds: runs.reduce((a, r) => a + r.cpuSeconds, 0),
    perSeed: runs.map((r) => r.mean),
  };
}

async function main(): Promise<void> {
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: an optional override read only by this bench script
  const referenceFromEnv = process.env.HPO_TORCH_CNN_REFERENCE;
  const { values } = parseArgs({
    options: {
      images: { type: "string", default: "10000" },
      epochs: { type: "string", default: "5" },
      folds: { type: "string", default: "3" },
      "batch-size": { type: "string", default: "64" },
      backend: { type: "string", default: "auto" },
      reference: { type: "string" },
      python: { type: "string", default: "/usr/bin/python3" },
      repeat: { type: "string", default: "1" },
      seed: { type: "string", default: "0" },
      seeds: { type: "string", default: "3" },
      json: { type: "boolean", default: false },
    },
  });
  const s: Settings = {
    images: Number(values.images),
    folds: Number(values.folds),
    epochs: Number(values.epochs),
    batchSize: Number(values["batch-size"]),
    learningRate: 1e-3,
    dropout: 0.25,
    seed: Number(values.seed),
  };
  const reference = resolve(ROOT, values.reference ?? referenceFromEnv ?? "../shared/reference/torch_cnn_kfold.py");
  if (!existsSync(reference))
    throw new Error(`reference script not found: ${reference} (pass --reference or set HPO_TORCH_CNN_REFERENCE)`);
  const backend = await selectBackend(
    values.backend as BackendPreference,
    values.json ? () => {} : (l) => console.log(l),
  );
  const seeds = Array.from({ length: Math.max(1, Number(values.seeds)) }, (_, i) => s.seed + i);
  let hpo: Seeded | undefined;
  let torch: Seeded | undefined;
  // alternate the sides and keep each one's fastest run: on a shared machine the load drifts
  for (let i = 0; i < Math.max(1, Number(values.repeat)); i++) {
    const hs: TimedSide[] = [];
    const ts: TimedSide[] = [];
    for (const seed of seeds) {
      hs.push(await runHpo({ ...s, seed }));
      ts.push(runTorch({ ...s, seed }, reference, values.python));
    }
    const h = pooled(hs);
    const t = pooled(ts);
    if (!hpo || h.wallSeconds < hpo.wallSeconds) hpo = h;
    if (!torch || t.wallSeconds < torch.wallSeconds) torch = t;
  }
  if (!hpo || !torch) throw new Error("no run");
  const trained = (s.images * (s.folds - 1)) / s.folds;
  if (values.json) {
    console.log(
      JSON.stringify({
        settings: s,
        backend: backend.name,
        hpo,
        torch,
        speedRatio: torch.wallSeconds / hpo.wallSeconds,
        cpuRatio: torch.cpuSeconds / hpo.cpuSeconds,
      }),
    );
    return;
  }
  console.log(
    `fashion_mnist (first ${s.images} images), ${s.folds}-fold stratified, ${s.epochs} epochs, batch ${s.batchSize}, LeNet (conv 5×5×16, pool, conv 5×5×32, pool, dense 128, dropout ${s.dropout}), adam ${s.learningRate}, pixels in [0, 1], PyTorch's initialization, torch with OMP_NUM_THREADS=1, seed${seeds.length > 1 ? `s ${seeds.join(", ")} (pooled: all folds, summed times)` : ` ${s.seed}`}`,
  );
  printSides(backend.name, hpo, torch);
  if (seeds.length > 1) {
    const list = (r: Seeded) => r.perSeed.map((m) => (100 * m).toFixed(2)).join(" ");
    console.log(`  per seed (${seeds.join(", ")}): hpo ${list(hpo)}; torch ${list(torch)}`);
  }
  // pooled sides sum every seed's wall time: count every seed's images
  const rate = (r: SideResult) => ((seeds.length * trained * s.epochs * s.folds) / r.wallSeconds).toFixed(0);
  console.log(`  training images/s: hpo ${rate(hpo)}, torch ${rate(torch)}`);
  if (torch.cpuSeconds > 1.1 * torch.wallSeconds)
    console.log(
      `  warning: torch used ${torch.cpuSeconds.toFixed(1)} CPU seconds in ${torch.wallSeconds.toFixed(1)} s: more than one thread ran despite OMP_NUM_THREADS=1`,
    );
  console.log(
    `  CPU seconds over the same spans: hpo ${hpo.cpuSeconds.toFixed(1)}, torch ${torch.cpuSeconds.toFixed(1)}; CPU ratio (torch / hpo) ${(torch.cpuSeconds / hpo.cpuSeconds).toFixed(2)}`,
  );
}

await main();
