/**
 * `hpo up --monitor` as a user runs it, with nothing configured: the CLI starts Redis (the test's),
 * the coordinator, 2 workers and the system's Prometheus, prints its URL, and Prometheus finds
 * the workers through the file_sd targets under `.hpo/prometheus/targets/` and has every metric
 * family the workers export, from both. Ctrl-C stops Prometheus with the rest.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { waitFor } from "@hpo/core/testing";
import { METRIC_FAMILIES } from "@hpo/metrics";
import { deleteTestKeys, uniquePrefix } from "@hpo/store/testing";
import { afterAll, describe, expect, it } from "vitest";
import { cleanEnv, freePort, spawnCli } from "../cli/run-cli.ts";
import { REDIS_URL } from "../helpers/processes.ts";
import { promApi, seriesOf } from "./prom-api.ts";
import { prometheusBinaries } from "./prometheus-server.ts";

const SWEEP = {
  name: "up-monitor",
  method: "random",
  seed: 3,
  dataset: { name: "iris" },
  model: { hidden: [8] },
  cv: { folds: 3 },
  budget: { max_trials: 4, max_parallel: 2, max_epochs: 30 },
  parameters: { learning_rate: { values: [0.01, 0.05] }, batch_size: { values: [16, 32] } },
};

describe("hpo up --monitor", () => {
  const prefix = uniquePrefix("test-up-monitor");
  const dir = mkdtempSync(join(tmpdir(), "hpo-up-monitor-"));
  let cli: ReturnType<typeof spawnCli> | undefined;

  afterAll(async () => {
    cli?.kill("SIGKILL");
    await deleteTestKeys(prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  it("starts Prometheus, which scrapes the coordinator and both workers and sees every worker metric family", async () => {
    await prometheusBinaries();
    const port = await freePort();
    cli = spawnCli(["up", "--monitor", "--workers", "2", "--port", String(port)], {
      cwd: dir,
      env: cleanEnv({ REDIS_URL, HPO_PREFIX: prefix }),
    });
    let stderr = "";
    cli.stderr?.on("data", (c) => (stderr += c));
    cli.stdout?.resume();
    const exited = new Promise<number | null>((resolve) => cli?.once("exit", (code) => resolve(code)));

    const promUrl = await waitFor(
      "hpo up to print the Prometheus URL",
      () => {
        if (cli?.exitCode !== null) throw new Error(`hpo up exited:\n${stderr}`);
        return /prometheus at (http:\/\/\S+)/.exec(stderr)?.[1];
      },
      { timeoutMs: 120_000 },
    );
    expect(stderr).toContain("config .hpo/prometheus/prometheus.yml");
    const api = promApi(promUrl);
    const workers = [`${hostname()}-w1`, `${hostname()}-w2`];
    await waitFor(
      "the coordinator and both workers up in Prometheus",
      async () => {
        const targets = await api.targets();
        const up = targets.filter((t) => t.health === "up").map((t) => `${t.scrapePool} ${t.labels.worker ?? ""}`);
        return up.length === 3 ? up.sort() : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 1_000 },
    );
    expect(readdirSync(join(dir, ".hpo/prometheus/targets")).sort()).toEqual(workers.map((w) => `${w}.json`));

    // A small sweep, so that the training families (epochs, samples, durations) have samples.
    const url = `http://127.0.0.1:${port}`;
    const token = readFileSync(join(dir, ".hpo/token"), "utf8").trim();
    const created = await fetch(`${url}/api/sweeps`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(SWEEP),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    await waitFor(
      "the sweep to end",
      async () => ((await (await fetch(`${url}/api/sweeps/${id}`)).json()) as { status: string }).status !== "running",
      { timeoutMs: 150_000, intervalMs: 500 },
    );

    const exported = METRIC_FAMILIES.filter((f) => f.role !== "coordinator");
    const missing = await waitFor(
      "every worker family from both workers in Prometheus",
      async () => {
        const gaps: string[] = [];
        for (const family of exported) {
          const name = family.type === "histogram" ? `${family.name}_count` : family.name;
          const seen = new Set(seriesOf(await api.query(`${name}{job="hpo-worker"}`)).map((s) => s.metric.process));
          for (const w of workers) if (!seen.has(w)) gaps.push(`${family.name} from ${w}`);
        }
        if (gaps.length > 0) throw new Error(`missing: ${gaps.join(", ")}`);
        return gaps;
      },
      { timeoutMs: 60_000, intervalMs: 1_000 },
    );
    expect(missing).toEqual([]);

    cli.kill("SIGINT");
    expect(await exited).toBe(0);
    await expect(fetch(`${promUrl}/-/ready`)).rejects.toThrow();
    expect(existsSync(join(dir, ".hpo/prometheus/data"))).toBe(true);
    // Workers that stop cleanly remove their targets.
    expect(readdirSync(join(dir, ".hpo/prometheus/targets"))).toEqual([]);
  });
});
