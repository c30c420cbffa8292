/**
 * Start-up cost of the `hpo` binary and of the coordinator and worker processes, built
 * (tools/build.mjs, what `hpo`, `hpo up`, Docker and k8s run) against the same code run from
 * source through tsx (what they ran before), next to a bare `node -e 0` measured in the same run.
 *
 *   pnpm bench:cli-start [--rounds 15] [--starts 3] [--json]
 *
 * CLI: `--rounds` rounds; each runs every variant once, in turn, so a change of machine load hits
 * them alike; wall time from spawn to exit, median over the rounds, and its ratio to the median
 * of `node -e 0` (goal: `hpo --version` and `hpo ls --limit 1` at most 4×). `ls` asks a built
 * coordinator started here on a private key prefix (one sweep in it).
 * Processes: `--starts` starts of each (built and tsx in turn): the coordinator until GET /healthz
 * answers, a worker until it logs "worker taking jobs" (its training thread has loaded tfjs and
 * picked a backend); resident memory (VmRSS) of the process at that moment. Run `pnpm build`
 * first when the sources changed since `pnpm install`.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "../apps/cli/src/net-utils.ts";
import { type Proc, REDIS_URL, REPO_ROOT, spawnProc } from "../test/helpers/processes.ts";
import { flag, numArg } from "./lib/args.ts";
import { deletePrefix, Redis } from "./lib/stack.ts";
import { rssMiB } from "./lib/usage.ts";

const rounds = numArg("rounds", 15);
const starts = numArg("starts", 3);
const json = flag("json");
const tsx = import.meta.resolve("tsx");
const node = process.execPath;
const built = (app: string, file: string) => join(REPO_ROOT, "apps", app, "dist", file);
const source = (app: string, file: string) => join(REPO_ROOT, "apps", app, "src", file);

for (const file of [built("cli", "bin.js"), built("coordinator", "main.js"), built("worker", "main.js")]) {
  if (!existsSync(file)) throw new Error(`bench/cli-start: ${file} is missing: run \`pnpm build\``);
}

/** Wall ms from spawn to exit of `command args`; throws when it exits non-zero. */
function timeRun(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(command, [...args], { cwd: REPO_ROOT, env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (c) => (stderr += c));
    child.once("error", reject);
    child.once("exit", (code) => {
      const ms = performance.now() - t0;
      if (code === 0) resolve(ms);
      else reject(new Error(`${command} ${args.join(" ")} exited with ${code}: ${stderr.trim()}`));
    });
  });
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/** A process started for the benchmark: ms until ready, VmRSS MiB then. */
async function startOnce(
  kind: "coordinator" | "worker",
  how: "built" | "tsx",
  prefix: string,
): Promise<{ ms: number; rss: number }> {
  const entry = how === "built" ? [built(kind, "main.js")] : ["--import", tsx, source(kind, "main.ts")];
  const port = await freePort();
  const env = {
    REDIS_URL,
    HPO_PREFIX: prefix,
    HPO_PORT: String(port),
    HPO_HOST: "127.0.0.1",
    HPO_WORKER_NAME: "bench",
  };
  const t0 = performance.now();
  const proc: Proc = spawnProc(node, entry, env, `${how} ${kind}`);
  try {
    if (kind === "coordinator") {
      for (;;) {
        if (proc.child.exitCode !== null)
          throw new Error(`${how} coordinator exited: ${proc.lines.slice(-3).join("\n")}`);
        const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) break;
        await new Promise((r) => setTimeout(r, 20));
      }
    } else {
      await proc.waitForLog((r) => r.msg === "worker taking jobs", "worker taking jobs", 120_000);
    }
    return { ms: performance.now() - t0, rss: rssMiB(proc.pid) };
  } finally {
    await proc.stop();
  }
}

async function main(): Promise<void> {
  const prefix = `bench-cli-start-${randomUUID()}`;
  const redis = new Redis(REDIS_URL);
  const port = await freePort();
  const coordinator = spawnProc(
    node,
    [built("coordinator", "main.js")],
    { REDIS_URL, HPO_PREFIX: prefix, HPO_PORT: String(port), HPO_HOST: "127.0.0.1" },
    "coordinator",
  );
  try {
    await coordinator.waitForLog((r) => r.msg === "coordinator listening", "coordinator listening");
    const url = `http://127.0.0.1:${port}`;
    const env = { ...process.env, HPO_URL: url };
    delete env.HPO_TOKEN;
    await fetch(`${url}/api/sweeps`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "bench-cli-start", dataset: "iris", parameters: { lr: { values: [0.01] } } }),
    });

    const variants: Record<string, readonly string[]> = {
      "node -e 0": ["-e", "0"],
      "hpo --version (built)": [join(REPO_ROOT, "apps/cli/bin/hpo.js"), "--version"],
      "hpo --version (tsx, before)": ["--import", tsx, source("cli", "bin.ts"), "--version"],
      "hpo ls --limit 1 (built)": [join(REPO_ROOT, "apps/cli/bin/hpo.js"), "ls", "--limit", "1"],
      "hpo ls --limit 1 (tsx, before)": ["--import", tsx, source("cli", "bin.ts"), "ls", "--limit", "1"],
    };
    const shim = join(REPO_ROOT, "node_modules/.bin/hpo");
    const times: Record<string, number[]> = {};
    for (const name of [...Object.keys(variants), "node_modules/.bin/hpo --version"]) times[name] = [];
    for (let r = 0; r < rounds; r++) {
      for (const [name, args] of Object.entries(variants)) times[name]?.push(await timeRun(node, args, env));
      times["node_modules/.bin/hpo --version"]?.push(await timeRun(shim, ["--version"], env));
    }
    const base = median(times["node -e 0"] ?? []);
    const cli = Object.entries(times).map(([name, ms]) => ({
      name,
      medianMs: Math.round(median(ms)),
      ratio: Number((median(ms) / base).toFixed(2)),
    }));

    const processes: { name: string; medianMs: number; rssMiB: number }[] = [];
    for (const kind of ["coordinator", "worker"] as const) {
      const got: Record<string, { ms: number; rss: number }[]> = { built: [], tsx: [] };
      for (let i = 0; i < starts; i++) {
        for (const how of ["built", "tsx"] as const) got[how]?.push(await startOnce(kind, how, prefix));
      }
      for (const how of ["built", "tsx"] as const) {
        const runs = got[how] ?? [];
        processes.push({
          name: `${kind} (${how})`,
          medianMs: Math.round(median(runs.map((x) => x.ms))),
          rssMiB: Math.round(median(runs.map((x) => x.rss))),
        });
      }
    }

    const load = (await import("node:os")).loadavg()[0]?.toFixed(1);
    if (json) {
      console.log(JSON.stringify({ rounds, starts, load, cli, processes }, null, 2));
      return;
    }
    console.log(`CLI start, median of ${rounds} rounds (load ${load}):`);
    for (const c of cli) console.log(`  ${c.name.padEnd(34)} ${String(c.medianMs).padStart(6)} ms  ${c.ratio}× node`);
    console.log(`Process start to ready, median of ${starts}:`);
    for (const p of processes) {
      console.log(`  ${p.name.padEnd(34)} ${String(p.medianMs).padStart(6)} ms  RSS ${p.rssMiB} MiB`);
    }
  } finally {
    await coordinator.stop();
    await deletePrefix(redis, prefix);
    await redis.quit();
  }
}

await main();
