import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { METRIC_FAMILIES } from "@hpo/metrics";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  alertRules,
  dashboardExpressions,
  dataPanels,
  familyOf,
  INFRA,
  k8sFiles,
  metricNames,
  readDashboard,
  readYaml,
  readYamlDocuments,
} from "./infra-files.ts";

const HISTOGRAMS = new Set(METRIC_FAMILIES.filter((f) => f.type === "histogram").map((f) => f.name));
const FAMILY_NAMES = new Set(METRIC_FAMILIES.map((f) => f.name));

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === "object" ? (v as Obj) : {});

describe("infra/redis.conf", () => {
  it("persists with AOF every second and never evicts (BullMQ)", () => {
    const lines = readFileSync(join(INFRA, "redis.conf"), "utf8")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith("#"));
    expect(lines).toContain("appendonly yes");
    expect(lines).toContain("appendfsync everysec");
    expect(lines).toContain("maxmemory-policy noeviction");
  });
});

describe("infra/prometheus", () => {
  it("scrapes the coordinator statically and the workers through file_sd, and loads the alert rules", () => {
    const config = obj(readYaml("prometheus/prometheus.yml"));
    expect(config.rule_files).toEqual(["alerts.yml"]);
    const jobs = (config.scrape_configs as Obj[]).map(obj);
    const coordinator = jobs.find((j) => j.job_name === "hpo-coordinator");
    const worker = jobs.find((j) => j.job_name === "hpo-worker");
    expect(obj(((coordinator?.static_configs ?? []) as unknown[])[0]).targets).toEqual(["coordinator:8080"]);
    expect(obj(((worker?.file_sd_configs ?? []) as unknown[])[0]).files).toEqual(["targets/*.json"]);
    expect(existsSync(join(INFRA, "prometheus/targets"))).toBe(true);
  });

  it("has the alerts the issue asks for, each with severity, summary and known metrics", () => {
    const rules = alertRules();
    const names = rules.map((r) => r.alert);
    expect(new Set(names).size).toBe(names.length);
    for (const required of [
      "HpoWorkerDown",
      "HpoNoFoldProgress",
      "HpoJobsStalling",
      "HpoTrialFailureRatioHigh",
      "HpoQueueBacklogGrowing",
    ]) {
      expect(names).toContain(required);
    }
    for (const rule of rules) {
      expect(rule.expr.trim(), rule.alert).not.toBe("");
      expect(rule.labels?.severity, rule.alert).toMatch(/^(critical|warning|info)$/);
      expect(rule.annotations?.summary, rule.alert).toBeTruthy();
      for (const name of metricNames(rule.expr).filter((n) => n.startsWith("hpo_"))) {
        expect(FAMILY_NAMES, `${rule.alert} uses ${name}`).toContain(familyOf(name, HISTOGRAMS));
      }
    }
  });
});

describe("infra/grafana", () => {
  const datasources = obj(readYaml("grafana/provisioning/datasources/prometheus.yaml")).datasources as Obj[];
  const uid = datasources[0]?.uid;

  it("provisions a Prometheus datasource and a file dashboard provider", () => {
    expect(datasources[0]?.type).toBe("prometheus");
    expect(uid).toBe("hpo-prometheus");
    const providers = obj(readYaml("grafana/provisioning/dashboards/hpo.yaml")).providers as Obj[];
    expect(providers[0]?.type).toBe("file");
    expect(obj(providers[0]?.options).path).toBe("/var/lib/grafana/dashboards");
  });

  it("gives every panel a unique id, a layout, the provisioned datasource and a PromQL target", () => {
    const dashboard = readDashboard();
    expect(dashboard.uid).toBe("hpo-fleet");
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const panels = dataPanels(dashboard);
    expect(panels.length).toBeGreaterThanOrEqual(20);
    for (const panel of panels) {
      expect(panel.datasource?.uid, panel.title).toBe(uid);
      expect(panel.gridPos && panel.gridPos.x + panel.gridPos.w, panel.title).toBeLessThanOrEqual(24);
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) {
        expect(target.expr?.trim(), `${panel.title} ${target.refId}`).toBeTruthy();
        expect(target.datasource?.uid, `${panel.title} ${target.refId}`).toBe(uid);
      }
    }
  });

  it("shows every metric family and uses no unknown hpo metric", () => {
    const used = new Set(
      dashboardExpressions()
        .flatMap((e) => metricNames(e.expr))
        .map((n) => familyOf(n, HISTOGRAMS)),
    );
    for (const family of METRIC_FAMILIES) expect(used, `dashboard panel for ${family.name}`).toContain(family.name);
    for (const name of used)
      if (name.startsWith("hpo_")) expect(FAMILY_NAMES, `dashboard uses ${name}`).toContain(name);
    for (const name of ["up", "process_cpu_seconds_total", "process_resident_memory_bytes"])
      expect(used).toContain(name);
  });

  it("uses rate() or histogram_quantile() on counters and histograms, never their raw values", () => {
    for (const { where, expr } of dashboardExpressions()) {
      for (const name of metricNames(expr)) {
        const family = METRIC_FAMILIES.find((f) => f.name === familyOf(name, HISTOGRAMS));
        if (family?.type === "counter" || family?.type === "histogram") {
          expect(expr, `${where} uses ${name}`).toMatch(new RegExp(`(rate|increase)\\(${name}\\[`));
        }
      }
    }
  });
});

describe("infra/compose.yaml", () => {
  const compose = obj(readYaml("compose.yaml"));
  const services = obj(compose.services);

  it("runs Redis with the AOF config, a coordinator, workers, Prometheus and Grafana", () => {
    expect(Object.keys(services).sort()).toEqual(["coordinator", "grafana", "prometheus", "redis", "worker"]);
    expect(obj(services.redis).volumes).toContain("./redis.conf:/usr/local/etc/redis/redis.conf:ro");
    expect((obj(services.worker).deploy as Obj).replicas).toBeGreaterThanOrEqual(2);
  });

  it("mounts files that exist and shares the workers' file_sd directory with Prometheus", () => {
    for (const service of Object.values(services).map(obj)) {
      for (const volume of (service.volumes as string[] | undefined) ?? []) {
        const source = volume.split(":")[0] ?? "";
        if (source.startsWith(".")) expect(existsSync(join(INFRA, source)), volume).toBe(true);
      }
    }
    const worker = obj(services.worker);
    const sdDir = obj(worker.environment).HPO_METRICS_SD_DIR;
    const workerVolume = (worker.volumes as string[]).find((v) => v.endsWith(`:${sdDir}`));
    const volumeName = workerVolume?.split(":")[0];
    expect(volumeName).toBeTruthy();
    expect(obj(services.prometheus).volumes).toContain(`${volumeName}:/etc/prometheus/targets:ro`);
    expect(obj(services.grafana).volumes).toContain("./grafana/dashboards:/var/lib/grafana/dashboards:ro");
  });
});

describe("infra/k8s", () => {
  const docs = k8sFiles().flatMap((f) => readYamlDocuments(`k8s/${f}`).map((d) => ({ file: f, doc: obj(d) })));
  const find = (kind: string, name: string) =>
    docs.find((d) => d.doc.kind === kind && obj(d.doc.metadata).name === name)?.doc;

  it("parses into named Kubernetes objects", () => {
    expect(docs.length).toBeGreaterThanOrEqual(6);
    for (const { file, doc } of docs) {
      expect(doc.apiVersion, file).toBeTruthy();
      expect(doc.kind, file).toBeTruthy();
      expect(obj(doc.metadata).name, file).toBeTruthy();
    }
  });

  it("requests a GPU per worker pod and scales the workers on queue depth", () => {
    const worker = find("Deployment", "hpo-worker");
    const container = obj((obj(obj(obj(worker?.spec).template).spec).containers as unknown[])[0]);
    const resources = obj(container.resources);
    expect(obj(resources.limits)["nvidia.com/gpu"]).toBe(1);
    expect(obj(resources.requests)["nvidia.com/gpu"]).toBe(1);
    const scaler = find("ScaledObject", "hpo-worker");
    expect(obj(obj(scaler?.spec).scaleTargetRef).name).toBe("hpo-worker");
    const triggers = obj(scaler?.spec).triggers as Obj[];
    expect(triggers.map((t) => t.type)).toContain("prometheus");
    expect(String(obj(triggers.find((t) => t.type === "prometheus")?.metadata).query)).toContain("hpo_queue_jobs");
  });

  it("runs the GPU workers on an image that has tfjs-node-gpu, built from the Dockerfile's gpu stage", () => {
    const worker = find("Deployment", "hpo-worker");
    const container = obj((obj(obj(obj(worker?.spec).template).spec).containers as unknown[])[0]);
    const env = (container.env as Obj[]).find((e) => e.name === "HPO_BACKEND");
    expect(env?.value).toBe("tensorflow-gpu");
    expect(container.image).toBe("hpo-gpu:latest");
    // stages of infra/Dockerfile: "FROM <image> [AS <name>]" and the lines up to the next FROM
    const stages = readFileSync(join(INFRA, "Dockerfile"), "utf8")
      .split(/^(?=FROM )/m)
      .filter((s) => s.startsWith("FROM "))
      .map((s) => ({ name: /^FROM \S+(?: AS (\S+))?/.exec(s)?.[1], from: /^FROM (\S+)/.exec(s)?.[1], text: s }));
    const gpu = stages.find((s) => s.name === "gpu");
    expect(gpu?.from).toMatch(/^nvidia\/cuda:11\.2\.\d+-cudnn8-/);
    expect(gpu?.text).toContain("@tensorflow/tfjs-node-gpu@4.22.0");
    // `docker build` without --target builds the last stage: the CPU image the other services run
    expect(stages.at(-1)?.from).toBe("cpu");
    const cpuWorkers = obj(obj(obj(readYaml("compose.yaml")).services).worker);
    expect(cpuWorkers.image).toBe("hpo:latest");
  });

  it("ships a Prometheus config for the pods that keeps the job names the alerts use", () => {
    const config = obj(parse(String(obj(find("ConfigMap", "hpo-prometheus-config")?.data)["prometheus.yml"])));
    expect(config.rule_files).toEqual(["alerts.yml"]);
    const relabel = JSON.stringify(config.scrape_configs);
    expect(relabel).toContain("kubernetes_sd_configs");
    expect(relabel).toContain('"replacement":"hpo-$1","target_label":"job"');
    for (const kind of ["Deployment"]) {
      for (const name of ["hpo-coordinator", "hpo-worker"]) {
        const annotations = obj(obj(obj(obj(find(kind, name)?.spec).template).metadata).annotations);
        expect(annotations["prometheus.io/scrape"], name).toBe("true");
      }
    }
  });

  it("runs Redis as a StatefulSet with a volume and the AOF config, and a coordinator Deployment and Service", () => {
    const redis = find("StatefulSet", "hpo-redis");
    expect((obj(redis?.spec).volumeClaimTemplates as unknown[]).length).toBe(1);
    const config = String(obj(find("ConfigMap", "hpo-redis-config")?.data)["redis.conf"]);
    expect(config).toContain("appendonly yes");
    expect(config).toContain("maxmemory-policy noeviction");
    expect(find("Deployment", "hpo-coordinator")).toBeDefined();
    expect(find("Service", "hpo-coordinator")).toBeDefined();
    expect(find("Service", "hpo-redis")).toBeDefined();
  });
});
