/**
 * Worker saturation (issue 8 part 3): while a sweep has work waiting, is every worker busy? Runs a
 * short real tfjs sweep (iris, `--trials` 16 trials, `--epochs` 10 epochs, 3 folds) through the real
 * coordinator and `--workers` (2) real worker processes (concurrency 1 each), with
 * `--parallel` (default: 2 = one trial per worker, the tightest case: every refill goes through the
 * coordinator) trials in flight. From the trials' startedAt/finishedAt (stamped by the worker that
 * ran them) it prints, per worker, the idle gaps between the end of one trial and the start of the
 * next, and the busy fraction over the worker's active span. Goal: busy ≥ 95%.
 *
 *   pnpm bench:saturation [--trials 16] [--epochs 10] [--workers 2] [--parallel 2] [--json]
 */
import { randomUUID } from "node:crypto";
import { flag, numArg } from "./lib/args.ts";
import { deletePrefix, REDIS_URL, Redis, startStack } from "./lib/stack.ts";
import { submitSweep, sweepEnd } from "./lib/sweep-api.ts";
import { percentile } from "./lib/usage.ts";

const trials = numArg("trials", 16);
const epochs = numArg("epochs", 10);
const nWorkers = numArg("workers", 2);
const parallel = numArg("parallel", nWorkers);
const json = flag("json");
const say = (line: string) => {
  if (!json) console.log(line);
};

interface Trial {
  readonly id: string;
  readonly state: string;
  readonly worker?: string;
  readonly startedAt?: number;
  readonly finishedAt?: number;
}

const SWEEP = {
  name: "saturation",
  method: "random",
  seed: 5,
  dataset: "iris",
  metric: { name: "val_accuracy", goal: "maximize" },
  parameters: {
    learning_rate: { distribution: "log_uniform_values", min: 0.003, max: 0.05 },
    batch_size: { values: [16, 32] },
  },
  model: { hidden: [16], activation: "relu" },
  cv: { folds: 3, stratified: true, seed: 1 },
  budget: { max_trials: trials, max_parallel: parallel, max_epochs: epochs },
};

const redis = new Redis(REDIS_URL);
const prefix = `bench-saturation-${randomUUID()}`;
try {
  const stack = await startStack({ prefix, workers: nWorkers, workerEnv: { LOG_LEVEL: "warn" } });
  try {
    say(
      `saturation: ${trials} iris trials × ${epochs} epochs × 3 folds, ${nWorkers} workers, max_parallel ${parallel}`,
    );
    const id = await submitSweep(stack.url, SWEEP);
    await sweepEnd(stack.url, id);
    const page = (await (await fetch(`${stack.url}/api/sweeps/${id}/trials?sort=index&limit=1000`)).json()) as {
      items: Trial[];
    };
    const byWorker = new Map<string, Trial[]>();
    for (const t of page.items) {
      if (t.worker === undefined || t.startedAt === undefined || t.finishedAt === undefined) continue;
      byWorker.set(t.worker, [...(byWorker.get(t.worker) ?? []), t]);
    }
    const allGaps: number[] = [];
    const report: Record<string, { trials: number; busy: number; gaps: number[] }> = {};
    for (const [worker, ts] of [...byWorker].sort()) {
      ts.sort((a, b) => (a.startedAt as number) - (b.startedAt as number));
      const span = (ts[ts.length - 1]?.finishedAt as number) - (ts[0]?.startedAt as number);
      const busyMs = ts.reduce((a, t) => a + ((t.finishedAt as number) - (t.startedAt as number)), 0);
      const gaps = ts.slice(1).map((t, i) => (t.startedAt as number) - ((ts[i] as Trial).finishedAt as number));
      allGaps.push(...gaps);
      report[worker] = { trials: ts.length, busy: busyMs / span, gaps };
      const sorted = [...gaps].sort((a, b) => a - b);
      say(
        `${worker}: ${ts.length} trials, busy ${(100 * (busyMs / span)).toFixed(1)}% of ${(span / 1000).toFixed(1)} s; ` +
          `idle gaps ms: p50 ${percentile(sorted, 50)}, max ${sorted[sorted.length - 1] ?? "-"} (${gaps.join(", ")})`,
      );
    }
    const mean = page.items.reduce((a, t) => a + ((t.finishedAt ?? 0) - (t.startedAt ?? 0)), 0) / page.items.length;
    say(
      `mean trial duration ${(mean / 1000).toFixed(2)} s; states ${JSON.stringify(page.items.map((t) => t.state).reduce<Record<string, number>>((a, s) => ({ ...a, [s]: (a[s] ?? 0) + 1 }), {}))}`,
    );
    if (json) console.log(JSON.stringify({ trials, epochs, workers: nWorkers, parallel, report }));
  } finally {
    await stack.stop();
  }
} finally {
  await deletePrefix(redis, prefix);
  await redis.quit();
}
