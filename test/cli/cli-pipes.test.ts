import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseSweepSpec, type TrialOutcome } from "@hpo/core";
import { deleteTestKeys, uniquePrefix } from "@hpo/store/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type InProcessCoordinator, startCoordinator } from "../helpers/coordinator.ts";
import { cleanEnv, spawnCli } from "./run-cli.ts";

/**
 * `hpo … --json | slow-reader`: the whole document arrives, not the first 64 KiB a pipe holds.
 * The CLI is a real child process; this process reads its stdout a chunk at a time with pauses,
 * so the CLI reaches its exit while most of its output still waits in the pipe.
 */
describe("hpo CLI output through a pipe read slowly", () => {
  const prefix = uniquePrefix("cli-pipes");
  let coordinator: InProcessCoordinator;
  let dir: string;
  let bigSweep: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "hpo-cli-pipes-"));
    // No scheduler tick during the test: the trials are written straight to the store.
    coordinator = await startCoordinator({ prefix, mode: "noop", tickMs: 3_600_000 });
    const { store } = coordinator;
    const spec = (name: string, trials: number) =>
      parseSweepSpec({
        name,
        method: "random",
        dataset: "iris",
        parameters: {
          learning_rate: { distribution: "log_uniform_values", min: 1e-4, max: 1e-1 },
          batch_size: { values: [16, 32, 64] },
        },
        cv: { folds: 3 },
        budget: { max_trials: trials, max_parallel: 8, max_epochs: 3 },
        seed: 1,
      });
    const big = await store.createSweep(spec("pipes-5000", 5_000));
    bigSweep = big.id;
    for (let start = 0; start < 5_000; start += 1_000) {
      const batch = Array.from({ length: 1_000 }, (_, i) => ({
        index: start + i,
        params: { learning_rate: 10 ** (-4 + ((start + i) % 97) / 32), batch_size: [16, 32, 64][i % 3] ?? 16 },
      }));
      const trials = await store.proposeTrials(bigSweep, batch);
      await Promise.all(
        trials.map(async (t) => {
          await store.markRunning(bigSweep, t.id, "seed", 1, "seed");
          const folds = [0, 1, 2].map((fold) => ({
            fold,
            score: 0.5 + ((t.index * 7 + fold) % 50) / 100,
            metrics: { val_accuracy: 0.5 + ((t.index * 7 + fold) % 50) / 100 },
            epochs: 3,
            durationMs: 10,
          }));
          const outcome: TrialOutcome = { state: "completed", folds, flags: [] };
          await store.finishTrial(bigSweep, t.id, outcome, "seed");
        }),
      );
    }
    await store.setSweepStatus(bigSweep, "completed", "seeded by cli-pipes.test");
    for (let i = 0; i < 199; i++) await store.createSweep(spec(`pipes-${i}`, 10));
  }, 240_000);

  afterAll(async () => {
    await coordinator?.close();
    await deleteTestKeys(prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  it("status --json of a 5,000-trial sweep arrives whole", async () => {
    const r = await runSlowly(["status", bigSweep, "--json", "--url", coordinator.url], dir);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBeGreaterThan(1_000_000);
    const doc = JSON.parse(r.stdout) as { id: string; trials: unknown[] };
    expect(doc.id).toBe(bigSweep);
    expect(doc.trials).toHaveLength(5_000);
  }, 120_000);

  it("ls --json of 200 sweeps arrives whole", async () => {
    const r = await runSlowly(["ls", "--json", "--limit", "200", "--url", coordinator.url], dir);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBeGreaterThan(65_536);
    const sweeps = JSON.parse(r.stdout) as { id: string }[];
    expect(sweeps).toHaveLength(200);
    expect(new Set(sweeps.map((s) => s.id)).size).toBe(200);
  }, 120_000);

  it("ends quietly with exit 0 when the reader closes the pipe early (| head)", async () => {
    const child = spawnCli(["status", bigSweep, "--json", "--url", coordinator.url], {
      cwd: dir,
      env: cleanEnv(),
    });
    let stderr = "";
    child.stderr?.on("data", (c) => (stderr += c));
    const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
    // Like `head -c 100`: take the first chunk, then close the read end.
    await new Promise<void>((resolve) => child.stdout?.once("data", () => resolve()));
    child.stdout?.destroy();
    expect(await exited).toBe(0);
    expect(stderr).toBe("");
  }, 120_000);
});

/** Runs the CLI and reads its stdout one chunk at a time, pausing 100 ms after each. */
function runSlowly(
  args: readonly string[],
  cwd: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, { cwd, env: cleanEnv() });
    const chunks: Buffer[] = [];
    let stderr = "";
    child.stderr?.on("data", (c) => (stderr += c));
    child.stdout?.on("data", (c: Buffer) => {
      chunks.push(c);
      child.stdout?.pause();
      setTimeout(() => child.stdout?.resume(), 100);
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout: Buffer.concat(chunks).toString("utf8"), stderr }));
  });
}
