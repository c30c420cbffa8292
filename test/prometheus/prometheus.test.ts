/**
 * A real Prometheus (Debian's `prometheus` package) scrapes a real coordinator and two real worker
 * processes (spawned with tsx) while they run a small iris sweep, with the shipped
 * infra/prometheus/prometheus.yml (intervals shortened to 1 s, real addresses substituted) and
 * infra/prometheus/alerts.yml. Through Prometheus's HTTP API it checks that every target is up,
 * every metric family has samples from the processes that export it, every dashboard query
 * returns data and every alert expression evaluates. A metric renamed in code without the
 * dashboard (or alerts) following makes a query come back empty and this test fail.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FINAL_TRIAL_STATES } from "@hpo/core";
import { METRIC_FAMILIES, type MetricFamily } from "@hpo/metrics";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Proc, spawnTs } from "../helpers/processes.ts";
import { alertRules, dashboardExpressions, grafanaToPromql, INFRA, metricNames } from "./infra-files.ts";
import { type PromApi, promApi, seriesOf } from "./prom-api.ts";
import {
  type PrometheusServer,
  prometheusBinaries,
  promtool,
  startPrometheus,
  writeTestConfig,
} from "./prometheus-server.ts";

const REDIS_URL = process.env.REDIS_URL || "redis://127.0.0.1:6379";
const TOKEN = "prometheus-test-token";
const WORKERS = ["prom-w1", "prom-w2"];
const FOLDS = 3;
/** Grafana's $__rate_interval for a 1 s scrape interval (4 × scrape interval, rounded up). */
const RATE_INTERVAL = "10s";

const SWEEP = {
  name: "prometheus-iris",
  method: "random",
  seed: 7,
  metric: { name: "val_accuracy", goal: "maximize" },
  dataset: { name: "iris", task: "classification" },
  model: { hidden: [8], activation: "relu" },
  cv: { folds: FOLDS, stratified: true, seed: 1 },
  // Long enough that the sweep's best-score series lives for several 1 s scrapes between the first
  // finished trial and the end of the sweep (the trainer keeps getting faster: 6 epochs ended
  // inside one scrape, then 40 did; 400 epochs are about a second per trial on an idle machine).
  budget: { max_trials: 8, max_parallel: 2, max_epochs: 400 },
  parameters: {
    learning_rate: { distribution: "log_uniform_values", min: 0.005, max: 0.1 },
    batch_size: { values: [16, 32] },
    optimizer: { values: ["adam", "sgd"] },
  },
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last}` : ""}`);
    await sleep(250);
  }
}

describe("a real Prometheus scraping a coordinator and two workers running a sweep", () => {
  const prefix = `test-prom-${randomUUID().slice(0, 8)}`;
  const dir = mkdtempSync(join(tmpdir(), "hpo-prometheus-"));
  const sdDir = join(dir, "targets");
  const apps: Proc[] = [];
  let prometheus: PrometheusServer | undefined;
  let api: PromApi;
  let coordinatorUrl = "";
  let sweepId = "";
  let trials: { state: string }[] = [];
  /** Worker rows of the dashboard's fleet view, sampled while the sweep ran. */
  const fleetSeen: FleetWorker[] = [];
  let start = 0;
  let end = 0;

  const request = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(`${coordinatorUrl}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json", ...init.headers },
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    await prometheusBinaries();
    const env = { REDIS_URL, HPO_PREFIX: prefix, HPO_TOKEN: TOKEN };
    const coordinator = spawnTs(
      "apps/coordinator/src/main.ts",
      { ...env, HPO_PORT: "0", HPO_HOST: "127.0.0.1" },
      { logFile: join(dir, "coordinator.log") },
    );
    apps.push(coordinator);
    for (const name of WORKERS) {
      apps.push(
        spawnTs(
          "apps/worker/src/main.ts",
          { ...env, HPO_WORKER_NAME: name, HPO_METRICS_PORT: "0", HPO_METRICS_SD_DIR: sdDir },
          { logFile: join(dir, `${name}.log`) },
        ),
      );
    }
    const listening = await coordinator.waitForLog((r) => r.msg === "coordinator listening", "coordinator listening");
    coordinatorUrl = String(listening.url);
    await until(
      "both workers' file_sd targets",
      async () => (safeList(sdDir).filter((f) => f.endsWith(".json")).length === 2 ? true : undefined),
      90_000,
    );
    for (const worker of apps.slice(1))
      await worker.waitForLog((r) => r.msg === "worker taking jobs", "worker ready", 90_000);

    const config = writeTestConfig({ dir, coordinator: new URL(coordinatorUrl).host, sdDir });
    prometheus = await startPrometheus(config, dir);
    api = promApi(prometheus.url);
    await until(
      "three healthy targets",
      async () => {
        const targets = await api.targets();
        return targets.length === 3 && targets.every((t) => t.health === "up") ? true : undefined;
      },
      30_000,
    );
    start = Date.now();

    const created = await request("/api/sweeps", { method: "POST", body: JSON.stringify(SWEEP) });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    sweepId = String(created.body.id);
    await until(
      "the sweep to finish",
      async () => {
        const sweep = await request(`/api/sweeps/${sweepId}`);
        const fleet = await request("/api/dashboard/fleet");
        for (const w of (fleet.body.workers ?? []) as FleetWorker[]) fleetSeen.push(w);
        return sweep.body.status === "running" ? undefined : sweep.body;
      },
      150_000,
    );
    const page = await request(`/api/sweeps/${sweepId}/trials?limit=100`);
    trials = page.body.items as { state: string }[];
    // Until Prometheus has scraped every process after the last trial finished.
    await until(
      "the last trial in Prometheus",
      async () => {
        const r = seriesOf(await api.query("sum(hpo_trials_finished_total)"));
        return Number(r[0]?.value?.[1]) === trials.length ? true : undefined;
      },
      20_000,
    );
    await sleep(2_000);
    end = Date.now();
  }, 300_000);

  afterAll(async () => {
    await prometheus?.close();
    await Promise.all(apps.map((a) => a.stop("SIGTERM", 15_000)));
    const redis = new Redis(REDIS_URL);
    try {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
    } finally {
      redis.disconnect();
    }
    // HPO_PROM_KEEP=1 keeps the logs of every process and Prometheus's config and data.
    if (process.env.HPO_PROM_KEEP) console.info(`prometheus test files kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it("promtool accepts the shipped config and alert rules", async () => {
    expect(await promtool(["check", "config", join(INFRA, "prometheus/prometheus.yml")])).toContain("SUCCESS");
    expect(await promtool(["check", "rules", join(INFRA, "prometheus/alerts.yml")])).toMatch(
      /SUCCESS: \d+ rules found/,
    );
    expect(await promtool(["check", "config", join(dir, "prometheus.yml")])).toContain("SUCCESS");
    // infra/k8s/prometheus-config.yaml is checked structurally only (infra-files.test.ts): Debian's
    // prometheus is built without kubernetes_sd_configs, so promtool here cannot parse it.
  });

  it("scrapes the coordinator and both workers (found through file_sd) successfully", async () => {
    const targets = await api.targets();
    expect(targets.map((t) => `${t.scrapePool} ${t.health}`).sort()).toEqual([
      "hpo-coordinator up",
      "hpo-worker up",
      "hpo-worker up",
    ]);
    const workers = seriesOf(await api.query('up{job="hpo-worker"}'));
    expect(workers.map((s) => s.metric.worker).sort()).toEqual(WORKERS);
  });

  it("has samples of every metric family from every process that exports it", async () => {
    const processes = (family: MetricFamily) =>
      family.role === "coordinator"
        ? ["coordinator"]
        : family.role === "worker"
          ? WORKERS
          : ["coordinator", ...WORKERS];
    for (const family of METRIC_FAMILIES) {
      const suffix = family.type === "histogram" ? "_count" : "";
      const series = await api.series(`${family.name}${suffix}`, start, end);
      const seen = new Set(series.map((s) => s.process));
      for (const p of processes(family)) expect([...seen], `${family.name} from ${p}`).toContain(p);
      for (const label of family.labels)
        expect(
          series.some((s) => label in s),
          `${family.name}{${label}}`,
        ).toBe(true);
      const clashes = series.flatMap((s) => Object.keys(s).filter((k) => k.startsWith("exported_")));
      expect(clashes, `${family.name}: a target label clashes with the process's own labels`).toEqual([]);
    }
    for (const name of [
      "process_cpu_seconds_total",
      "process_resident_memory_bytes",
      "nodejs_eventloop_lag_p99_seconds",
    ]) {
      const seen = new Set((await api.series(name, start, end)).map((s) => s.process));
      expect([...seen].sort(), name).toEqual(["coordinator", ...WORKERS].sort());
    }
  });

  it("counts every trial of the sweep once, and its folds, epochs and samples", async () => {
    const value = async (expr: string) => Number(seriesOf(await api.query(expr, end))[0]?.value?.[1] ?? Number.NaN);
    expect(trials.length).toBe(SWEEP.budget.max_trials);
    for (const state of FINAL_TRIAL_STATES) {
      const expected = trials.filter((t) => t.state === state).length;
      expect(await value(`sum(hpo_trials_finished_total{state="${state}"})`), state).toBe(expected);
    }
    const withFolds = trials.filter((t) => t.state === "completed" || t.state === "pruned").length;
    expect(await value("sum(hpo_folds_finished_total)")).toBe(withFolds * FOLDS);
    expect(await value("sum(hpo_trial_duration_seconds_count)")).toBe(trials.length);
    expect(await value("sum(hpo_training_epochs_total)")).toBeGreaterThanOrEqual(withFolds);
    expect(await value("sum(hpo_epoch_duration_seconds_count)")).toBe(await value("sum(hpo_training_epochs_total)"));
    expect(await value("sum(hpo_training_samples_total)")).toBeGreaterThan(0);
    expect(
      await value(`max_over_time(sum(hpo_worker_busy)[${Math.ceil((end - start) / 1000)}s:1s])`),
    ).toBeGreaterThanOrEqual(1);
    expect(await value("sum(hpo_worker_busy)")).toBe(0);
    expect(await value("sum(hpo_worker_slots)")).toBe(WORKERS.length);
    const backends = seriesOf(await api.query("hpo_tfjs_backend_info", end)).map((s) => s.metric.backend);
    expect(backends).toHaveLength(WORKERS.length);
    for (const backend of backends) expect(["tensorflow-gpu", "tensorflow", "wasm", "cpu"]).toContain(backend);
  });

  it("shows the best score while the sweep runs and drops the series when it ends", async () => {
    const during = seriesOf(await api.queryRange(`hpo_sweep_best_score{sweep="${sweepId}"}`, start, end));
    expect(during.map((s) => s.metric.metric)).toEqual(["val_accuracy"]);
    const best = Math.max(...(during[0]?.values ?? []).map(([, v]) => Number(v)));
    expect(best).toBeGreaterThan(0);
    expect(best).toBeLessThanOrEqual(1);
    expect(seriesOf(await api.query(`hpo_sweep_best_score{sweep="${sweepId}"}`, end))).toEqual([]);
  });

  it("labels API requests with route patterns, never ids", async () => {
    const routes = seriesOf(
      await api.query("sum by (route, method, status) (hpo_http_request_duration_seconds_count)", end),
    ).map((s) => `${s.metric.method} ${s.metric.route} ${s.metric.status}`);
    expect(routes).toContain("POST /api/sweeps 201");
    expect(routes).toContain("GET /api/sweeps/:id 200");
    expect(routes).toContain("GET /api/sweeps/:id/trials 200");
    expect(routes.join("\n")).not.toContain(sweepId);
  });

  it("returns data for every query of the Grafana dashboard", async () => {
    const empty: string[] = [];
    for (const { where, expr } of dashboardExpressions()) {
      const result = await api.queryRange(grafanaToPromql(expr, RATE_INTERVAL), start, end);
      if (seriesOf(result).length === 0) empty.push(`${where}: ${expr}`);
    }
    expect(empty).toEqual([]);
  });

  it("loads every alert rule, evaluates it without error, and its signal has data", async () => {
    const rules = alertRules();
    const loaded = await api.rules();
    expect(loaded.map((r) => r.name).sort()).toEqual(rules.map((r) => r.alert).sort());
    for (const rule of loaded)
      expect(`${rule.name}: ${rule.health} ${rule.lastError ?? ""}`.trim()).toBe(`${rule.name}: ok`);
    const empty: string[] = [];
    for (const rule of rules) {
      // The full condition is usually (rightly) empty on a healthy fleet; it must still evaluate.
      await api.queryRange(rule.expr, start, end);
      // Each operand, without its threshold, is what the alert watches: it must have data.
      for (const part of alertSignals(rule.expr)) {
        if (seriesOf(await api.queryRange(part, start, end)).length === 0) empty.push(`${rule.alert}: ${part}`);
      }
      for (const name of metricNames(rule.expr)) {
        if ((await api.series(name, start, end)).length === 0) empty.push(`${rule.alert}: no series of ${name}`);
      }
    }
    expect(empty).toEqual([]);
  });

  it("shows the same backend and a positive samples/s in the dashboard's fleet view", async () => {
    const backends = seriesOf(await api.query("hpo_tfjs_backend_info", end));
    // Workers publish every 5 s a rate over 30 s: poll until both published one that covers the sweep.
    await until(
      "samples/s of both workers in the fleet view",
      async () => {
        const fleet = await request("/api/dashboard/fleet");
        for (const w of (fleet.body.workers ?? []) as FleetWorker[]) fleetSeen.push(w);
        return WORKERS.every((n) => fleetSeen.some((w) => w.name === n && (w.samplesPerSec ?? 0) > 0))
          ? true
          : undefined;
      },
      15_000,
    );
    for (const name of WORKERS) {
      const backend = backends.find((s) => s.metric.worker === name)?.metric.backend;
      expect(backend, name).toBeTruthy();
      expect(
        fleetSeen.filter((w) => w.name === name).map((w) => w.backend),
        name,
      ).toContain(backend);
    }
  });

  it("puts HpoWorkerDown in pending for a worker killed without cleaning up its target", async () => {
    const victim = apps[1 + WORKERS.indexOf("prom-w2")]; // apps: the coordinator, then WORKERS in order
    victim?.child.kill("SIGKILL");
    const alert = await until(
      "HpoWorkerDown to be pending for prom-w2",
      async () =>
        (await api.alerts()).find((a) => a.labels.alertname === "HpoWorkerDown" && a.labels.worker === "prom-w2"),
      20_000,
    );
    expect(alert.state).toBe("pending");
    expect(alert.labels.severity).toBe("warning");
    const down = seriesOf(await api.query(alertRules().find((r) => r.alert === "HpoWorkerDown")?.expr ?? ""));
    expect(down.map((s) => s.metric.worker)).toEqual(["prom-w2"]);
  });

  it("comes back empty for a misspelt metric (the checks above can fail)", async () => {
    expect(seriesOf(await api.queryRange("sum(rate(hpo_trials_finished[10s]))", start, end))).toEqual([]);
  });
});

interface FleetWorker {
  readonly name: string;
  readonly backend?: string;
  readonly samplesPerSec?: number;
}

/** Operands of an alert expression (split at `and on()`), each without a trailing `op number`. */
export function alertSignals(expr: string): string[] {
  return expr
    .split(/\band\s+on\s*\(\s*\)/)
    .map((part) =>
      part
        .trim()
        .replace(/\s*(==|!=|>=|<=|>|<)\s*-?[\d.]+\s*$/, "")
        .trim(),
    )
    .filter(Boolean);
}

function safeList(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}
