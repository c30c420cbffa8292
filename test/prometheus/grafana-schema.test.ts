import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { dashboardSchemaErrors } from "./grafana-schema.ts";
import { INFRA } from "./infra-files.ts";

/** infra/grafana/dashboards/hpo.json against @grafana/schema's Dashboard (beside the real-Prometheus query test). */
describe("the Grafana dashboard against Grafana's schema (@grafana/schema)", () => {
  const text = readFileSync(join(INFRA, "grafana/dashboards/hpo.json"), "utf8");

  it("conforms: no type errors", () => {
    expect(dashboardSchemaErrors(text)).toEqual([]);
  });

  it("would catch a broken dashboard: wrong types, unknown fields, missing required fields", () => {
    const broken = (mutate: (d: { panels: Record<string, unknown>[] } & Record<string, unknown>) => void) => {
      const d = JSON.parse(text);
      mutate(d);
      return dashboardSchemaErrors(JSON.stringify(d, null, 2));
    };
    expect(broken((d) => Object.assign(d, { refresh: 10 }))).toEqual([
      expect.stringContaining("Type 'number' is not assignable to type 'string'"),
    ]);
    expect(broken((d) => Object.assign(d, { titel: "typo" })).join()).toContain("'\"titel\"' does not exist");
    expect(broken((d) => delete d.schemaVersion).join()).toContain("Property 'schemaVersion' is missing");
    expect(broken((d) => delete d.panels[1]?.type).join()).toContain("Property 'type' is missing");
    expect(broken((d) => Object.assign(d, { graphTooltip: 7 })).join()).toContain("DashboardCursorSync");
  });
});
