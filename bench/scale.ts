/**
 * Scale (issue 8 part 3): `--trials` (100,000) trials in one sweep, written straight through the
 * store (proposed, run, 3 epochs each, finished: mostly completed, some pruned/failed/diverged),
 * then the real coordinator process (apps/coordinator/src/main.ts) on that prefix: its RSS, and
 * the latency p50/p99 of `GET /api/sweeps/:id` and of trial pages
 * `GET /api/sweeps/:id/trials?offset=…&limit=50` at several offsets, sorts and state filters.
 * Goal: p99 < 50 ms for each.
 *
 *   pnpm bench:scale [--trials 100000] [--requests 200] [--profile DIR] [--keep] [--reuse PREFIX] [--json]
 */
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { createRng, type EpochReport, parseSweepSpec, type TrialOutcome } from "../packages/core/src/index.ts";
import { createStore } from "../packages/store/src/index.ts";
import { flag, numArg, strArg } from "./lib/args.ts";
import { deletePrefix, REDIS_URL, Redis, startStack } from "./lib/stack.ts";
import { cpuSeconds, percentile, rssMiB } from "./lib/usage.ts";

const nTrials = numArg("trials", 100_000);
const requests = numArg("requests", 200);
const json = flag("json");
const say = (line: string) => {
  if (!json) console.log(line);
};

// --reuse PREFIX: measure a sweep seeded (and kept with --keep) by an earlier run
const reuse = strArg("reuse", "");
const prefix = reuse || `bench-scale-${randomUUID()}`;
const redis = new Redis(REDIS_URL);
const store = createStore({ url: REDIS_URL, prefix });

async function seed(): Promise<string> {
  const spec = parseSweepSpec({
    name: "scale",
    method: "random",
    dataset: "digits",
    parameters: {
      learning_rate: { distribution: "log_uniform_values", min: 1e-4, max: 1e-1 },
      batch_size: { values: [16, 32, 64, 128] },
      dropout: { min: 0, max: 0.5 },
    },
    cv: { folds: 3 },
    budget: { max_trials: nTrials, max_parallel: 64, max_epochs: 3 },
  });
  const sweep = await store.createSweep(spec);
  const rng = createRng(1);
  const chunk = 1000;
  for (let start = 0; start < nTrials; start += chunk) {
    const batch = Array.from({ length: Math.min(chunk, nTrials - start) }, (_, i) => ({
      index: start + i,
      params: {
        learning_rate: 10 ** (-4 + 3 * rng.next()),
        batch_size: 16 * 2 ** Math.floor(4 * rng.next()),
        dropout: rng.next() / 2,
      },
    }));
    const trials = await store.proposeTrials(sweep.id, batch);
    await Promise.all(
      trials.map(async (t) => {
        const run = `seed-${t.id}`;
        await store.markRunning(sweep.id, t.id, "seed", 1, run);
        const u = rng.next();
        const scores = [0, 1, 2].map(() => 0.5 + 0.45 * rng.next());
        const curve: EpochReport[] = [1, 2, 3].map((epoch) => ({
          epoch,
          folds: scores.map((s) => ({ val_accuracy: s * (epoch / 3) })),
          value: (scores.reduce((a, b) => a + b) / 3) * (epoch / 3),
        }));
        const folds = scores.map((score, fold) => ({
          fold,
          score,
          metrics: { val_accuracy: score },
          epochs: 3,
          durationMs: 10,
        }));
        const outcome: TrialOutcome =
          u < 0.8
            ? { state: "completed", folds, flags: [] }
            : u < 0.9
              ? { state: "pruned", prunedAt: 2, folds, flags: [] }
              : u < 0.97
                ? { state: "failed", folds: [], flags: [], error: "seeded failure" }
                : { state: "diverged", folds: [], flags: ["nan_loss"] };
        await store.appendEpochs(sweep.id, t.id, u < 0.8 ? curve : curve.slice(0, 2), run);
        await store.finishTrial(sweep.id, t.id, outcome, run);
      }),
    );
    if (!json && (start / chunk) % 10 === 9) process.stdout.write(`  seeded ${start + chunk}\n`);
  }
  await store.setSweepStatus(sweep.id, "completed", "seeded by bench/scale");
  return sweep.id;
}

async function latency(url: string, n: number): Promise<{ p50: number; p99: number; max: number; bytes: number }> {
  const xs: number[] = [];
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const res = await fetch(url);
    const body = await res.arrayBuffer();
    xs.push(performance.now() - t);
    if (res.status !== 200) throw new Error(`GET ${url} → ${res.status}: ${Buffer.from(body).toString()}`);
    bytes = body.byteLength;
  }
  xs.sort((a, b) => a - b);
  return { p50: percentile(xs, 50), p99: percentile(xs, 99), max: xs[xs.length - 1] as number, bytes };
}

try {
  if (!reuse) say(`scale: seeding ${nTrials} trials into one sweep through the store (prefix ${prefix})`);
  const t0 = performance.now();
  const sweepId = reuse ? ((await store.listSweeps(0, 1)).items[0]?.id as string) : await seed();
  const seedSeconds = (performance.now() - t0) / 1000;
  if (!reuse)
    say(
      `seeded in ${seedSeconds.toFixed(1)} s (${(nTrials / seedSeconds).toFixed(0)} trials/s incl. 3 epochs and the result each)`,
    );
  const redisMem = /used_memory_human:(\S+)/.exec(await redis.info("memory"))?.[1];

  const profileDir = strArg("profile", ""); // V8 CPU profile of the coordinator into this folder
  const stack = await startStack({
    prefix,
    workers: 0,
    coordinatorEnv: { LOG_LEVEL: "info" },
    nodeArgs: profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [],
  });
  const pid = stack.coordinator.pid;
  try {
    const base = `${stack.url}/api/sweeps/${sweepId}`;
    const rssIdle = rssMiB(pid);
    const sweep = (await (await fetch(base)).json()) as { counts: Record<string, number> };
    say(`sweep ${sweepId}: ${JSON.stringify(sweep.counts)}; redis used_memory ${redisMem} (whole shared Redis)`);
    const mid = Math.floor(nTrials / 2);
    const cases: [string, string][] = [
      ["GET /healthz (reference: one PING)", `${stack.url}/healthz`],
      ["GET /api/sweeps/:id", base],
      ["trials sort=score offset=0", `${base}/trials?limit=50`],
      [`trials sort=score offset=${mid}`, `${base}/trials?limit=50&offset=${mid}`],
      [`trials sort=score offset=${nTrials - 50}`, `${base}/trials?limit=50&offset=${nTrials - 50}`],
      ["trials sort=index offset=0", `${base}/trials?limit=50&sort=index`],
      [`trials sort=index offset=${mid}`, `${base}/trials?limit=50&sort=index&offset=${mid}`],
      [`trials sort=index offset=${nTrials - 50}`, `${base}/trials?limit=50&sort=index&offset=${nTrials - 50}`],
      ["trials state=completed offset=0", `${base}/trials?limit=50&state=completed`],
      [
        `trials state=completed offset=${Math.floor(nTrials * 0.4)}`,
        `${base}/trials?limit=50&state=completed&offset=${Math.floor(nTrials * 0.4)}`,
      ],
      [
        `trials state=failed offset=${Math.floor(nTrials * 0.03)}`,
        `${base}/trials?limit=50&state=failed&offset=${Math.floor(nTrials * 0.03)}`,
      ],
      [
        `trials state=pruned sort=index offset=${Math.floor(nTrials * 0.05)}`,
        `${base}/trials?limit=50&state=pruned&sort=index&offset=${Math.floor(nTrials * 0.05)}`,
      ],
      ["GET /api/sweeps/:id/trials/:trialId", `${base}/trials/t${String(mid).padStart(4, "0")}`],
      ["GET /api/sweeps (list)", `${stack.url}/api/sweeps?limit=50`],
    ];
    for (const [, url] of cases) await latency(url, 5); // warm-up
    const results: Record<string, Awaited<ReturnType<typeof latency>> & { cpuMs: number }> = {};
    say(
      `latency over ${requests} sequential requests each (ms; cpu = coordinator CPU ms per request, load-independent):`,
    );
    for (const [name, url] of cases) {
      const cpu0 = cpuSeconds(pid);
      const r0 = await latency(url, requests);
      const r = { ...r0, cpuMs: ((cpuSeconds(pid) - cpu0) * 1000) / requests };
      results[name] = r;
      say(
        `  ${name.padEnd(44)} p50 ${r.p50.toFixed(2).padStart(6)}  p99 ${r.p99.toFixed(2).padStart(6)}  max ${r.max.toFixed(1).padStart(6)}  cpu ${r.cpuMs.toFixed(2)}  ${r.p99 < 50 ? "ok" : "OVER 50 ms"}  (${r.bytes} B)`,
      );
    }
    const rssAfter = rssMiB(pid);
    const load = (await import("node:os")).loadavg()[0]?.toFixed(1);
    say(
      `coordinator RSS: ${rssIdle.toFixed(0)} MiB after start, ${rssAfter.toFixed(0)} MiB after the requests; load average ${load}`,
    );
    if (json) console.log(JSON.stringify({ trials: nTrials, seedSeconds, rssIdle, rssAfter, results }));
  } finally {
    await stack.stop();
  }
} finally {
  await store.close();
  if (flag("keep")) say(`kept: --reuse ${prefix}`);
  else await deletePrefix(redis, prefix);
  await redis.quit();
}
