/**
 * Program-trial overhead (issue 13): a random sweep of `--trials` (500) trials × `--folds` (3)
 * folds of a program that reports `--steps` (5) steps through hpo's helper and exits, run by
 * `--workers` (2) real worker processes (apps/worker/src/main.ts) behind the real coordinator
 * process and Redis. Prints fold processes per second, wall milliseconds per fold, and the same
 * for a bare spawn of the same interpreter running the same program with the same environment,
 * the same number of times and as many at once as the workers run (`--workers` × `--slots`),
 * measured in the same run: half just before the sweep and half just after, so that a change in
 * the machine's load during the run weighs on both sides. Their ratio is what hpo adds per fold (queueing, the
 * worker's spawn and protocol parsing, Redis writes, the pruner, the coordinator's refill).
 * Goal: ≤ 1.2× the bare spawn cost.
 *
 *   npx tsx bench/program-overhead.ts [--trials 500] [--folds 3] [--steps 5] [--workers 2]
 *                                     [--slots <cores>] [--interpreter python3|node] [--json]
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { flag, numArg, strArg } from "./lib/args.ts";
import { deletePrefix, REDIS_URL, Redis, startStack } from "./lib/stack.ts";
import { submitSweep, sweepEnd } from "./lib/sweep-api.ts";

const trials = numArg("trials", 500);
const folds = numArg("folds", 3);
const steps = numArg("steps", 5);
const nWorkers = numArg("workers", 2);
const slots = numArg("slots", availableParallelism());
const interpreter = strArg("interpreter", "python3");
const json = flag("json");
const say = (line: string) => {
  if (!json) console.log(line);
};

const REPO = fileURLToPath(new URL("..", import.meta.url));
const HELPER_PY = join(REPO, "packages/program-kit/python");
const HELPER_MJS = join(REPO, "packages/program-kit/js/hpo.mjs");

/** Writes the benchmark's program into `dir`: `steps` reports through the helper, then exit. */
function writeProgram(dir: string): string {
  if (interpreter === "node") {
    const file = join(dir, "report-steps.mjs");
    writeFileSync(
      file,
      `import { params, report } from ${JSON.stringify(HELPER_MJS)};\nconst x = Number(params().x ?? 0);\n` +
        `for (let s = 0; s < ${steps}; s++) report(s, { val_accuracy: x * (s + 1) / ${steps} });\n`,
    );
    return file;
  }
  const file = join(dir, "report_steps.py");
  writeFileSync(
    file,
    `import hpo\nx = float(hpo.params().get("x", 0))\n` +
      `for s in range(${steps}):\n    hpo.report(s, val_accuracy=x * (s + 1) / ${steps})\n`,
  );
  return file;
}

/** The environment a fold process gets (as the worker sets it), for the bare spawns. */
function foldEnv(i: number): NodeJS.ProcessEnv {
  const passed = Object.fromEntries(["PATH", "HOME", "LANG"].map((k) => [k, process.env[k]]));
  return {
    ...passed,
    PYTHONPATH: HELPER_PY,
    HPO_PARAMS: JSON.stringify({ x: 0.5 }),
    HPO_FOLD: String(i % folds),
    HPO_FOLDS: String(folds),
    HPO_CV_SEED: "0",
    HPO_CV_STRATIFIED: "0",
    HPO_TRIAL_ID: `t${Math.floor(i / folds)}`,
    HPO_SWEEP_ID: "bench",
  };
}

/** Spawns the program `n` times, `parallel` at once, reading its stdout as the worker would; wall seconds. */
async function bareSpawns(program: string, n: number, parallel: number): Promise<number> {
  const command = interpreter === "node" ? process.execPath : interpreter;
  let next = 0;
  const one = (i: number) =>
    new Promise<void>((resolve, reject) => {
      const child = spawn(command, [program, "--x=0.5"], { env: foldEnv(i), stdio: ["ignore", "pipe", "pipe"] });
      let lines = 0;
      child.stdout.setEncoding("utf8").on("data", (d: string) => {
        lines += d.split("\n").length - 1;
      });
      child.stderr.resume();
      child.on("error", reject);
      child.on("close", (code) =>
        code === 0 && lines === steps ? resolve() : reject(new Error(`bare spawn ${i}: exit ${code}, ${lines} lines`)),
      );
    });
  const lane = async () => {
    while (next < n) await one(next++);
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: parallel }, lane));
  return (performance.now() - t0) / 1000;
}

async function hpoRun(program: string, dir: string): Promise<{ seconds: number; status: string; counts: object }> {
  const redis = new Redis(REDIS_URL);
  const prefix = `bench-program-${randomUUID()}`;
  const stack = await startStack({
    prefix,
    workers: nWorkers,
    coordinatorEnv: { LOG_LEVEL: "info", HPO_PROGRAM_DIRS: dir },
    workerEnv: { LOG_LEVEL: "warn", HPO_PROGRAM_DIRS: dir, HPO_SLOTS: String(slots) },
  });
  try {
    const sweep = {
      name: "program-overhead",
      program,
      method: "random",
      metric: { name: "val_accuracy", goal: "maximize" },
      parameters: { x: { distribution: "uniform", min: 0, max: 1 } },
      cv: { folds, seed: 0 },
      budget: { max_trials: trials, max_parallel: Math.max(2, nWorkers * slots) },
      seed: 1,
    };
    const t0 = performance.now();
    const id = await submitSweep(stack.url, sweep);
    const state = await sweepEnd<{ status: string; counts: Record<string, number> }>(stack.url, id);
    return { seconds: (performance.now() - t0) / 1000, status: state.status, counts: state.counts };
  } finally {
    await stack.stop();
    await deletePrefix(redis, prefix);
    await redis.quit();
  }
}

const dir = mkdtempSync(join(tmpdir(), "hpo-program-overhead-"));
try {
  const program = writeProgram(dir);
  const n = trials * folds;
  const parallel = nWorkers * slots;
  say(
    `${trials} trials × ${folds} folds = ${n} fold processes (${interpreter}, ${steps} reports each); ${nWorkers} workers × ${slots} slots`,
  );
  const before = Math.floor(n / 2);
  const bareBefore = await bareSpawns(program, before, parallel);
  const run = await hpoRun(program, dir);
  const bare = bareBefore + (await bareSpawns(program, n - before, parallel));
  say(
    `bare spawn: ${(n / bare).toFixed(1)} processes/s, ${((bare * 1000) / n).toFixed(2)} ms each (${parallel} at once)`,
  );
  say(
    `hpo:        ${(n / run.seconds).toFixed(1)} fold processes/s, ${((run.seconds * 1000) / n).toFixed(2)} ms per fold (${run.status} ${JSON.stringify(run.counts)})`,
  );
  const ratio = run.seconds / bare;
  say(`cost per fold / bare spawn: ${ratio.toFixed(2)}× (goal ≤ 1.2×)`);
  if (json)
    console.log(
      JSON.stringify({
        trials,
        folds,
        steps,
        workers: nWorkers,
        slots,
        interpreter,
        bare: { seconds: bare, perSecond: n / bare, msEach: (bare * 1000) / n },
        hpo: { ...run, perSecond: n / run.seconds, msPerFold: (run.seconds * 1000) / n },
        ratio,
      }),
    );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
