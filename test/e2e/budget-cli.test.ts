import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitFor } from "@hpo/core/testing";
import { deleteKeysUnder } from "@hpo/store";
import { uniquePrefix } from "@hpo/store/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanEnv, runCli } from "../cli/run-cli.ts";
import { apiClient } from "../helpers/api.ts";
import { type InProcessCoordinator, startCoordinator } from "../helpers/coordinator.ts";
import { REDIS_URL } from "../helpers/processes.ts";

const TOKEN = "cli-budget-token";

// No workers: trials stay queued, so cancel/resume/extend act on a sweep that cannot finish.
describe("hpo resume / hpo extend against a coordinator", () => {
  const prefix = uniquePrefix("e2e-budget-cli");
  const dir = mkdtempSync(join(tmpdir(), "hpo-cli-budget-"));
  let redis: Redis;
  let coordinator: InProcessCoordinator;

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    coordinator = await startCoordinator({ prefix, mode: "noop", token: TOKEN, tickMs: 200 });
  });
  afterAll(async () => {
    await coordinator?.close();
    await deleteKeysUnder(redis, prefix);
    await redis.quit();
    rmSync(dir, { recursive: true, force: true });
  });

  it("resume re-queues a cancelled sweep's trials; extend grows max_trials; bad input and a wrong token fail", async () => {
    const api = apiClient(coordinator.url, TOKEN);
    const sweep = await api.submit(`
name: cli-budget
method: random
dataset: iris
parameters: { learning_rate: { distribution: log_uniform_values, min: 0.001, max: 0.1 } }
budget: { max_trials: 3, max_parallel: 2, max_epochs: 2 }
`);
    await waitFor("two trials queued", async () => (await api.sweep(sweep.id)).counts.queued === 2);
    await api.cancel(sweep.id);
    const env = cleanEnv({ HPO_URL: coordinator.url, HPO_TOKEN: TOKEN });

    const resumed = await runCli(["resume", sweep.id], { cwd: dir, env });
    expect(resumed.stderr).toBe("");
    expect(resumed.code).toBe(0);
    expect(resumed.stdout.trim()).toBe(`sweep ${sweep.id}: running (2 trials queued again)`);
    expect((await api.sweep(sweep.id)).status).toBe("running");

    const extended = await runCli(["extend", sweep.id, "--trials", "5", "--json"], { cwd: dir, env });
    expect(extended.code).toBe(0);
    expect(JSON.parse(extended.stdout).spec.budget.max_trials).toBe(8);

    const again = await runCli(["resume", sweep.id], { cwd: dir, env });
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/only a cancelled sweep can be resumed/);

    const bad = await runCli(["extend", sweep.id, "--trials", "0"], { cwd: dir, env });
    expect(bad.code).toBe(2);
    const none = await runCli(["extend", sweep.id], { cwd: dir, env });
    expect(none.code).toBe(2);
    const wrong = await runCli(["extend", sweep.id, "--trials", "1"], {
      cwd: dir,
      env: cleanEnv({ HPO_URL: coordinator.url, HPO_TOKEN: "wrong" }),
    });
    expect(wrong.code).not.toBe(0);
    expect((await api.sweep(sweep.id)).spec.budget.max_trials).toBe(8);
  });
});
