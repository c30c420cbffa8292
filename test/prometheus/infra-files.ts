import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse, parseAllDocuments } from "yaml";

/** The repository's infra/ directory. */
export const INFRA = resolve(dirname(fileURLToPath(import.meta.url)), "../../infra");

export function readYaml(path: string): unknown {
  return parse(readFileSync(join(INFRA, path), "utf8"));
}

/** Every document of a multi-document YAML file; throws on the first parse error. */
export function readYamlDocuments(path: string): unknown[] {
  return parseAllDocuments(readFileSync(join(INFRA, path), "utf8")).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${path}: ${doc.errors[0]?.message}`);
    return doc.toJS();
  });
}

export interface DashboardPanel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly datasource?: { readonly uid?: string };
  readonly gridPos?: { readonly h: number; readonly w: number; readonly x: number; readonly y: number };
  readonly targets?: readonly {
    readonly refId: string;
    readonly expr?: string;
    readonly datasource?: { readonly uid?: string };
  }[];
}

export interface Dashboard {
  readonly uid: string;
  readonly title: string;
  readonly panels: readonly DashboardPanel[];
}

export function readDashboard(): Dashboard {
  return JSON.parse(readFileSync(join(INFRA, "grafana/dashboards/hpo.json"), "utf8")) as Dashboard;
}

/** Panels that show data (rows excluded). */
export function dataPanels(dashboard: Dashboard): DashboardPanel[] {
  return dashboard.panels.filter((p) => p.type !== "row");
}

/** Every PromQL expression of the dashboard, with where it comes from. */
export function dashboardExpressions(): { readonly where: string; readonly expr: string }[] {
  return dataPanels(readDashboard()).flatMap((p) =>
    (p.targets ?? []).map((t) => ({ where: `panel "${p.title}" ${t.refId}`, expr: t.expr ?? "" })),
  );
}

export interface AlertRule {
  readonly alert?: string;
  readonly record?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

export function alertRules(): AlertRule[] {
  const file = readYaml("prometheus/alerts.yml") as { groups: { name: string; rules: AlertRule[] }[] };
  return file.groups.flatMap((g) => g.rules);
}

/** Metric names used in a PromQL expression (hpo_*, process_*, nodejs_* and up). */
export function metricNames(expr: string): string[] {
  const names = expr.match(/\b(?:hpo|process|nodejs)_[a-z0-9_]+|\bup\b(?=\{)/g) ?? [];
  return [...new Set(names)];
}

/** The family a sample name belongs to (strips histogram suffixes of known histograms). */
export function familyOf(sample: string, histograms: ReadonlySet<string>): string {
  const base = sample.replace(/_(bucket|sum|count)$/, "");
  return histograms.has(base) ? base : sample;
}

export function k8sFiles(): string[] {
  return readdirSync(join(INFRA, "k8s")).filter((f) => f.endsWith(".yaml"));
}

/** Substitutes Grafana's interval variables so that Prometheus can evaluate a panel query. */
export function grafanaToPromql(expr: string, rateInterval = "30s"): string {
  return expr.replaceAll("$__rate_interval", rateInterval).replaceAll("$__interval", "5s").replaceAll("$__range", "5m");
}
