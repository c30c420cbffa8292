import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { REPO_ROOT } from "../helpers/processes.ts";

type Doc = { paths: Record<string, Record<string, unknown>>; components: Record<string, Record<string, unknown>> };

describe("docs/openapi.yaml", () => {
  const doc = parse(readFileSync(`${REPO_ROOT}docs/openapi.yaml`, "utf8")) as Doc;

  it("documents every route of the contract", () => {
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(routes).toEqual(
      expect.arrayContaining([
        "GET /healthz",
        "POST /api/sweeps",
        "GET /api/sweeps",
        "GET /api/sweeps/{id}",
        "GET /api/sweeps/{id}/trials",
        "GET /api/sweeps/{id}/trials/{trialId}",
        "POST /api/sweeps/{id}/cancel",
      ]),
    );
  });

  it("has no dangling $ref", () => {
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/([^/]+)\/([^"]+)"/g)];
    expect(refs.length).toBeGreaterThan(10);
    for (const [, section, name] of refs)
      expect(doc.components[section as string]?.[name as string], `${section}/${name}`).toBeDefined();
  });
});
