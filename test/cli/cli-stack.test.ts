import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { processAlive } from "@hpo/core/testing";
import { deleteTestKeys } from "@hpo/store/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApps, cleanEnv, freePort, runCli, startUp, type TestBuild, type UpStack } from "./run-cli.ts";

/**
 * The CLI against a real local stack started by `hpo up` (coordinator + 2 worker processes) on
 * the shared Redis with a unique prefix: submit → watch → status --json, ls --json, cancel. All
 * of it runs built, as `hpo` does in production (tools/build.mjs into a folder of this test's own):
 * the CLI, the coordinator, the workers and their training threads on the wasm backend.
 */

/** Pids whose parent is `pid` (Linux /proc). */
function childPids(pid: number): number[] {
  return readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so split after ")".
        const stat = readFileSync(`/proc/${d}/stat`, "utf8");
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return "";
  }
}

function sweepYaml(name: string, epochs: number, batchSizes: number[]): string {
  return [
    `name: ${name}`,
    "method: grid",
    "dataset: { name: iris }",
    "model: { hidden: [8] }",
    "cv: { folds: 2, stratified: true, seed: 1 }",
    "parameters:",
    `  batch_size: { values: [${batchSizes.join(", ")}] }`,
    "  optimizer: { values: [adam, sgd] }",
    "  learning_rate: { values: [0.05] }",
    `budget: { max_trials: 50, max_parallel: 2, max_epochs: ${epochs} }`,
  ].join("\n");
}

interface TrialJson {
  id: string;
  params: Record<string, unknown>;
  state: string;
  mean: number | null;
  std: number | null;
  folds: number[];
}

describe("hpo CLI against a real stack (hpo up)", () => {
  const prefix = `test-cli-${randomUUID()}`;
  let dir: string;
  let stack: UpStack;
  let env: NodeJS.ProcessEnv;
  let build: TestBuild | undefined;
  let bin: string;
  /** True when `pid` runs `app` from this test's build (node on the built file, no tsx). */
  const runsBuilt = (pid: number, app: "coordinator" | "worker") =>
    cmdline(pid).trim() === `${process.execPath} ${build?.main(app)}`;

  beforeAll(async () => {
    build = await buildApps();
    bin = build.bin;
    dir = mkdtempSync(join(tmpdir(), "hpo-cli-stack-"));
    const port = await freePort();
    env = cleanEnv({ REDIS_URL: "redis://127.0.0.1:6379", HPO_PREFIX: prefix, HPO_URL: `http://127.0.0.1:${port}` });
    stack = await startUp(["--workers", "2", "--port", String(port), "--gpus", "0,1"], { cwd: dir, env, bin });
  });

  afterAll(async () => {
    if (stack?.proc.exitCode === null) {
      stack.proc.kill("SIGTERM");
      await stack.exit;
    }
    await deleteTestKeys(prefix);
    if (dir) rmSync(dir, { recursive: true, force: true });
    build?.remove();
  });

  it("writes an API token to .hpo/token that the CLI in that folder uses", async () => {
    const token = readFileSync(join(dir, ".hpo/token"), "utf8").trim();
    expect(token.length).toBeGreaterThanOrEqual(16);
    // Elsewhere (no token file, no HPO_TOKEN) mutating calls are refused; reads stay open.
    const other = mkdtempSync(join(tmpdir(), "hpo-cli-other-"));
    try {
      writeFileSync(join(other, "s.yaml"), sweepYaml("no-token", 2, [16]));
      const [refused, list] = await Promise.all([
        runCli(["submit", "s.yaml"], { cwd: other, env, bin }),
        runCli(["ls", "--json"], { cwd: other, env, bin }),
      ]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain("UNAUTHORIZED");
      expect(list.code).toBe(0);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it("submit → watch → status --json: every trial has K fold scores, best first; ls --json lists it", async () => {
    writeFileSync(join(dir, "iris.yaml"), sweepYaml("cli-iris", 2, [16, 32]));
    const submitted = await runCli(["submit", "iris.yaml"], { cwd: dir, env, bin });
    expect(submitted.code, submitted.stderr).toBe(0);
    const id = submitted.stdout.trim();
    expect(id).toMatch(/^[A-Za-z0-9._-]+$/);

    const watched = await runCli(["watch", id, "--interval", "300"], { cwd: dir, env, bin });
    expect(watched.code, `${watched.stderr}\n${stack.out}`).toBe(0);
    expect(watched.stderr).toMatch(/4\/4 trials/);
    expect(watched.stdout).toContain(`sweep ${id} "cli-iris": completed`);
    expect(watched.stdout).toContain("val_accuracy (max) mean ± std");
    expect(watched.stdout.match(/│ completed/g)?.length).toBe(4);

    // Read-only views of the finished sweep, and a late cancel, side by side.
    const [status, ls, table, late, logs, noTrial] = await Promise.all([
      runCli(["status", id, "--json"], { cwd: dir, env, bin }),
      runCli(["ls", "--json"], { cwd: dir, env, bin }),
      runCli(["status", id], { cwd: dir, env, bin }),
      runCli(["cancel", id], { cwd: dir, env, bin }),
      runCli(["logs", id, "t0000"], { cwd: dir, env, bin }),
      runCli(["logs", id, "t9999"], { cwd: dir, env, bin }),
    ]);
    // the worker's log of a trial, kept in Redis: its start and its outcome
    expect(logs.code).toBe(0);
    expect(logs.stdout).toMatch(/^\S+Z INFO {2}\S+ {2}trial started attempt=1 params=\{.*"optimizer"/m);
    expect(logs.stdout).toMatch(/INFO {2}\S+ {2}trial finished state=completed/);
    expect(noTrial.code).toBe(2);
    expect(noTrial.stderr).toContain("NOT_FOUND");
    expect(status.code).toBe(0);
    const sweep = JSON.parse(status.stdout) as { id: string; status: string; trials: TrialJson[] };
    expect(sweep).toMatchObject({ id, status: "completed" });
    expect(sweep.trials).toHaveLength(4);
    const combos = new Set(sweep.trials.map((t) => `${t.params.batch_size}/${t.params.optimizer}`));
    expect(combos).toEqual(new Set(["16/adam", "16/sgd", "32/adam", "32/sgd"]));
    for (const t of sweep.trials) {
      expect(t.state).toBe("completed");
      expect(t.folds).toHaveLength(2);
      for (const s of t.folds) expect(s).toBeGreaterThanOrEqual(0);
      expect(t.mean).toBeCloseTo(((t.folds[0] ?? 0) + (t.folds[1] ?? 0)) / 2, 6);
      expect(t.std).not.toBeNull();
    }
    const means = sweep.trials.map((t) => t.mean as number);
    expect(means).toEqual([...means].sort((a, b) => b - a));

    expect(ls.code).toBe(0);
    const listed = (JSON.parse(ls.stdout) as { id: string; name: string; status: string }[]).find((s) => s.id === id);
    expect(listed).toMatchObject({ id, name: "cli-iris", status: "completed" });

    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/│ 1 (≈ )? *│ t\d{4}/);

    // A sweep that already completed cannot be cancelled: exit 2 with the server's CONFLICT.
    expect(late.code).toBe(2);
    expect(late.stderr).toContain("CONFLICT");
  });

  it("cancel stops a sweep: status becomes cancelled and nothing stays queued or running", async () => {
    writeFileSync(join(dir, "long.yaml"), sweepYaml("cli-cancel", 200, [4, 8, 12, 16, 20, 24]));
    const submitted = await runCli(["submit", "long.yaml"], { cwd: dir, env, bin });
    expect(submitted.code, submitted.stderr).toBe(0);
    const id = submitted.stdout.trim();

    const cancelled = await runCli(["cancel", id], { cwd: dir, env, bin });
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(cancelled.stdout.trim()).toBe(`sweep ${id}: cancelled`);

    // Wait (over plain HTTP: cheaper than a CLI process per poll) until running trials stopped.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const res = await fetch(`${env.HPO_URL}/api/sweeps/${id}`);
      const counts = ((await res.json()) as { counts: Record<string, number> }).counts;
      if ((counts.queued ?? 0) + (counts.running ?? 0) === 0 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    const [status, watched] = await Promise.all([
      runCli(["status", id, "--json"], { cwd: dir, env, bin }),
      // watch on a finished sweep returns at once with its leaderboard.
      runCli(["watch", id], { cwd: dir, env, bin }),
    ]);
    const sweep = JSON.parse(status.stdout) as { status: string; trials: TrialJson[] };
    expect(sweep.status).toBe("cancelled");
    expect(sweep.trials.filter((t) => t.state === "queued" || t.state === "running")).toEqual([]);
    expect(sweep.trials.filter((t) => t.state === "completed").length).toBeLessThan(12);
    expect(watched.code).toBe(0);
    expect(watched.stdout).toContain(`"cli-cancel": cancelled`);
  });

  it("submit --watch prints the id first and ends with the leaderboard", async () => {
    writeFileSync(join(dir, "one.yaml"), sweepYaml("cli-one", 1, [16]).replace("[adam, sgd]", "[adam]"));
    const r = await runCli(["submit", "one.yaml", "--watch", "--interval", "300"], { cwd: dir, env, bin });
    expect(r.code, r.stderr).toBe(0);
    const [id, ...rest] = r.stdout.split("\n");
    expect(id).toMatch(/^cli-one-/);
    expect(rest.join("\n")).toContain(`sweep ${id} "cli-one": completed`);
    expect(rest.join("\n")).toMatch(/│ 1 (≈ )? *│ t0000 /);
  });

  it("--gpus 0,1 gives each worker's program folds one GPU of its own, through CUDA_VISIBLE_DEVICES", async () => {
    // a program in the folder `hpo up` allows (HPO_PROGRAM_DIRS) that reports the GPU it was given
    writeFileSync(
      join(dir, "gpu.py"),
      [
        "import json, os, time",
        "time.sleep(0.2)",
        'gpu = int(os.environ.get("CUDA_VISIBLE_DEVICES", "-1"))',
        'print(json.dumps({"hpo": {"step": 0, "score": 1.0, "gpu": gpu}}))',
      ].join("\n"),
    );
    writeFileSync(
      join(dir, "gpus.yaml"),
      [
        "name: cli-gpus",
        "program: gpu.py",
        "method: grid",
        "metric: { name: score, goal: maximize }",
        "parameters:",
        "  x: { values: [1, 2, 3, 4, 5, 6] }",
        "cv: { folds: 2 }",
        "budget: { max_trials: 6, max_parallel: 2 }",
      ].join("\n"),
    );
    const r = await runCli(["submit", "gpus.yaml", "--watch", "--interval", "300"], { cwd: dir, env, bin });
    expect(r.code, r.stderr).toBe(0);
    const id = r.stdout.split("\n")[0] as string;
    const res = await fetch(`${env.HPO_URL}/api/sweeps/${id}/trials?limit=10`);
    const trials = (
      (await res.json()) as {
        items: { state: string; worker?: string; folds: { metrics: Record<string, number> }[] }[];
      }
    ).items;
    expect(trials.map((t) => t.state)).toEqual(Array(6).fill("completed"));
    const byWorker = new Map<string, Set<number>>();
    for (const t of trials) {
      const gpus = byWorker.get(t.worker as string) ?? new Set<number>();
      for (const f of t.folds) gpus.add(f.metrics.gpu as number);
      byWorker.set(t.worker as string, gpus);
    }
    // each worker has one GPU of the two, never the other's
    for (const gpus of byWorker.values()) expect(gpus.size).toBe(1);
    const given = [...byWorker.values()].map((g) => [...g][0]);
    expect(new Set(given).size).toBe(given.length);
    for (const g of given) expect([0, 1]).toContain(g);
  });

  it("status of an unknown sweep exits 2 with NOT_FOUND", async () => {
    const r = await runCli(["status", "no-such-sweep"], { cwd: dir, env, bin });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("NOT_FOUND");
  });

  it("hpo up restarts a worker that dies", async () => {
    const workerPid = childPids(stack.proc.pid as number).find((pid) => runsBuilt(pid, "worker"));
    expect(workerPid).toBeDefined();
    const before = stack.out.length;
    process.kill(workerPid as number, "SIGKILL");
    const deadline = Date.now() + 60_000;
    while (!/\[worker-\d\]\s.*worker taking jobs/.test(stack.out.slice(before)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(stack.out.slice(before)).toMatch(/worker-\d exited \(signal SIGKILL\); restarting it in 2 s/);
    expect(stack.out.slice(before)).toMatch(/worker taking jobs/);
    expect(childPids(stack.proc.pid as number).filter((pid) => runsBuilt(pid, "worker"))).toHaveLength(2);
  });

  it("hpo up restarts a coordinator that dies; the sweeps are still there (Redis is the source of truth)", async () => {
    const before = await runCli(["ls", "--json"], { cwd: dir, env, bin });
    const ids = (JSON.parse(before.stdout) as { id: string }[]).map((s) => s.id).sort();
    expect(ids.length).toBeGreaterThanOrEqual(3);
    const coordinatorPid = childPids(stack.proc.pid as number).find((pid) => runsBuilt(pid, "coordinator"));
    expect(coordinatorPid).toBeDefined();
    const mark = stack.out.length;
    process.kill(coordinatorPid as number, "SIGKILL");
    const deadline = Date.now() + 60_000;
    let healthy = false;
    while (!healthy && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      healthy =
        /restarting it in 2 s/.test(stack.out.slice(mark)) &&
        (await fetch(`${env.HPO_URL}/healthz`).then(
          (r) => r.ok,
          () => false,
        ));
    }
    expect(stack.out.slice(mark)).toMatch(/coordinator exited \(signal SIGKILL\); restarting it in 2 s/);
    expect(healthy).toBe(true);
    const after = await runCli(["ls", "--json"], { cwd: dir, env, bin });
    expect(after.code, after.stderr).toBe(0);
    expect((JSON.parse(after.stdout) as { id: string }[]).map((s) => s.id).sort()).toEqual(ids);
  });

  it("hpo up stops its coordinator and workers on SIGTERM and exits 0", async () => {
    const children = childPids(stack.proc.pid as number).filter(
      (pid) => runsBuilt(pid, "coordinator") || runsBuilt(pid, "worker"),
    );
    expect(children.length).toBe(3);
    stack.proc.kill("SIGTERM");
    expect(await stack.exit).toBe(0);
    expect(stack.out).toContain("hpo: stack stopped");
    expect(existsSync(join(dir, ".hpo/token"))).toBe(true);
    for (const pid of children) expect(processAlive(pid), `child ${pid} still running`).toBe(false);
  });
});
