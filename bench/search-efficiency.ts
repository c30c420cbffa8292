/**
 * Search efficiency (issue 4): on digits with 3-fold CV and the same total epoch budget, the best
 * K-fold mean accuracy reached and the epochs spent to reach 0.97, for random search, TPE, and
 * TPE + ASHA, over several seeds. Goal: TPE + ASHA reaches random search's best accuracy with at
 * most a third of the epochs.
 *
 *   pnpm exec tsx bench/search-efficiency.ts [--budget 270] [--max-epochs 6] [--seeds 6] [--first-seed 0]
 *       [--methods random,tpe,tpe+asha] [--jobs 2] [--backend auto|wasm|cpu] [--target 0.97] [--json]
 *
 * Every method searches the same space (bench/lib/search-run.ts: learning rate (log), batch size,
 * optimizer, dropout, weight decay (log), hidden layers) with the same budget: by default 270 epochs
 * (45 full trials of 6 epochs, so TPE runs 35 trials past its 10 start-up trials). Methods are
 * `<sampler>[+<pruner>]` (samplers random, tpe, tpe-mv; pruners asha, median, hyperband with their
 * sweep-file defaults). Runs go to `--jobs` child processes; each run is sequential and
 * deterministic in (method, seed) up to the backend's float order.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { type BackendPreference, selectBackend } from "../packages/trainer/src/index.ts";
import { epochsToReach, type RunResult, searchRun } from "./lib/search-run.ts";

const { values: args } = parseArgs({
  options: {
    budget: { type: "string", default: "270" },
    "max-epochs": { type: "string", default: "6" },
    seeds: { type: "string", default: "6" },
    "first-seed": { type: "string", default: "0" },
    methods: { type: "string", default: "random,tpe,tpe+asha" },
    jobs: { type: "string", default: "2" },
    backend: { type: "string", default: "auto" },
    target: { type: "string", default: "0.97" },
    json: { type: "boolean", default: false },
    /** Internal: run one `method:seed` in this process and print its RunResult as JSON. */
    run: { type: "string" },
  },
});
const budget = Number(args.budget);
const maxEpochs = Number(args["max-epochs"]);
const seeds = Number(args.seeds);
const firstSeed = Number(args["first-seed"]);
const target = Number(args.target);
const jobs = Math.max(1, Number(args.jobs));
const methods = String(args.methods).split(",");

const backend = await selectBackend(String(args.backend) as BackendPreference);

if (args.run !== undefined) {
  const [method, seed] = args.run.split(":");
  const r = await searchRun({ method: String(method), seed: Number(seed), budget, maxEpochs, target });
  process.stdout.write(`${JSON.stringify(r)}\n`);
  process.exit(0);
}

/** Runs `method:seed` in a child process (same node flags, so tsx's loader too). */
function child(method: string, seed: number): Promise<RunResult> {
  const argv = [
    ...process.execArgv,
    fileURLToPath(import.meta.url),
    ...["--run", `${method}:${seed}`, "--budget", String(budget), "--max-epochs", String(maxEpochs)],
    ...["--target", String(target), "--backend", String(args.backend)],
  ];
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, argv, { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    p.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    p.on("error", reject);
    p.on("exit", (code) => {
      const line = out.trim().split("\n").pop() ?? "";
      if (code !== 0) reject(new Error(`run ${method}:${seed} exited with ${code}`));
      else resolve(JSON.parse(line, (_k, v) => (v === null ? Number.NEGATIVE_INFINITY : v)) as RunResult);
    });
  });
}

const tasks = methods.flatMap((method) => Array.from({ length: seeds }, (_, i) => ({ method, seed: firstSeed + i })));
const results: RunResult[] = [];
const t0 = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: Math.min(jobs, tasks.length) }, async () => {
    while (next < tasks.length) {
      const { method, seed } = tasks[next++] as (typeof tasks)[number];
      const r = await child(method, seed);
      results.push(r);
      if (!args.json) {
        console.log(
          `${method.padEnd(9)} seed ${seed}: best ${r.best.toFixed(4)} after ${r.trials} trials (${r.pruned} pruned), ` +
            `${target} reached at ${r.epochsToTarget ?? "—"} epochs, ${r.seconds.toFixed(0)} s; new bests (epochs:best) ${r.progress.map(([e, b]) => `${e}:${b.toFixed(4)}`).join(" ")}`,
        );
      }
    }
  }),
);
results.sort(
  (a, b) =>
    tasks.findIndex((t) => t.method === a.method && t.seed === a.seed) -
    tasks.findIndex((t) => t.method === b.method && t.seed === b.seed),
);

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const randomRuns = results.filter((r) => r.method === "random");
const reference = randomRuns.length ? mean(randomRuns.map((r) => r.best)) : undefined;
const randomOf = (seed: number) => randomRuns.find((r) => r.seed === seed);
const summary = methods.map((method) => {
  const rs = results.filter((r) => r.method === method);
  // Paired by seed: epochs this method needed to reach the best that random search found with the whole budget.
  const paired = rs.map((r) => {
    const ref = randomOf(r.seed);
    return ref ? epochsToReach(r, ref.best) : undefined;
  });
  const toTarget = rs.map((r) => r.epochsToTarget).filter((x) => x !== undefined);
  const toRandomMean = reference === undefined ? [] : rs.map((r) => epochsToReach(r, reference));
  return {
    method,
    runs: rs.length,
    bestMean: mean(rs.map((r) => r.best)),
    reachedTarget: toTarget.length,
    /** Mean over the runs that reached the target. */
    epochsToTargetMean: toTarget.length ? mean(toTarget) : undefined,
    /** Per seed (in seed order): epochs to reach the same seed's random best, undefined = never. */
    paired,
    pairedReached: paired.filter((x) => x !== undefined).length,
    /** Mean over every run; a run that missed counts as the whole budget. */
    pairedEpochsMean: paired.length ? mean(paired.map((x) => x ?? budget)) : undefined,
    randomMeanReached: toRandomMean.filter((x) => x !== undefined).length,
    randomMeanEpochsMean: toRandomMean.length ? mean(toRandomMean.map((x) => x ?? budget)) : undefined,
  };
});
const seconds = (performance.now() - t0) / 1000;

if (args.json)
  console.log(
    JSON.stringify({ backend: backend.name, budget, maxEpochs, seeds, firstSeed, target, seconds, results, summary }),
  );
else {
  const pct = (e: number) => `${((100 * e) / budget).toFixed(0)}%`;
  console.log(
    `\nbackend ${backend.name}; digits, 3-fold; budget ${budget} epochs per run; max ${maxEpochs} epochs per trial; ` +
      `seeds ${firstSeed}-${firstSeed + seeds - 1}; ${jobs} jobs; ${seconds.toFixed(0)} s`,
  );
  if (reference !== undefined) console.log(`random search's mean best: ${reference.toFixed(4)}`);
  for (const s of summary) {
    console.log(
      `${s.method.padEnd(9)} mean best ${s.bestMean.toFixed(4)}; reached ${target} in ${s.reachedTarget}/${s.runs} runs` +
        (s.epochsToTargetMean !== undefined ? ` (mean ${s.epochsToTargetMean.toFixed(0)} epochs)` : "") +
        (s.method !== "random" && s.pairedEpochsMean !== undefined && randomRuns.length > 0
          ? `; same seed's random best: reached in ${s.pairedReached}/${s.runs} runs, mean ${s.pairedEpochsMean.toFixed(0)} epochs = ${pct(s.pairedEpochsMean)} of the budget (a miss counts as 100%; per seed ${s.paired.map((e) => e ?? "miss").join(", ")})`
          : "") +
        (s.randomMeanEpochsMean !== undefined
          ? `; random's mean best: reached in ${s.randomMeanReached}/${s.runs} runs, mean ${s.randomMeanEpochsMean.toFixed(0)} epochs = ${pct(s.randomMeanEpochsMean)}`
          : ""),
    );
  }
}
