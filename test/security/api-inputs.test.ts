/**
 * Issue 22, rows 4-8, through the real HTTP API (and the real CLI for what it prints):
 * printable names, dataset paths and labels; escaped control characters in every CLI output;
 * extend's seconds bounded like at creation; ids from the URL checked before Redis; one metrics
 * route label per route whatever the case of the URL.
 */
import type { SweepSpec } from "@hpo/core";
import { parseExposition } from "@hpo/metrics/testing";
import type { Store } from "@hpo/store";
import { proposeTrial } from "@hpo/store/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanEnv, runCli } from "../cli/run-cli.ts";
import { REPO_ROOT } from "../helpers/processes.ts";
import { type AppStack, startAppStack } from "./app-stack.ts";

const TOKEN = "inputs-t0ken";
const auth = { authorization: `Bearer ${TOKEN}` };
type ErrorBody = { error: { code: string; message: string } };
const SPEC = { name: "inputs", method: "random", dataset: "iris", budget: { max_trials: 2, max_seconds: 600 } };
/** Control and format characters a terminal acts on (the escapes we print are plain ASCII). */
const RAW_CONTROL = /(?![\n\t])[\p{Cc}\p{Cf}]/u;

describe("API inputs (issue 22 rows 4-8)", () => {
  let stack: AppStack;
  let store: Store;
  let url = "";

  beforeAll(async () => {
    stack = await startAppStack({ label: "sec-inputs", token: TOKEN, metrics: true });
    ({ store, url } = stack);
  });
  afterAll(async () => {
    await stack?.close();
  });

  const create = (spec: unknown) =>
    fetch(`${url}/api/sweeps`, {
      method: "POST",
      headers: { "content-type": "application/json", ...auth },
      body: JSON.stringify(spec),
    });

  it("row 4 and 8: refuses control and format characters in names, dataset paths and labels, naming the field", async () => {
    for (const [field, spec] of [
      ["name", { ...SPEC, name: "invoice\u202Efdp.exe" }],
      ["name", { ...SPEC, name: "zero\u200Bwidth" }],
      ["dataset.path", { ...SPEC, dataset: { path: "data\u001b]0;pwned\u0007.csv", label: "y" } }],
      ["dataset.path", { ...SPEC, dataset: { path: "a.csv\n[coordinator] 12:00:00 info forged", label: "y" } }],
      ["dataset.label", { ...SPEC, dataset: { path: "a.csv", label: "y\u001b[2J" } }],
    ] as const) {
      const res = await create(spec);
      expect(res.status, JSON.stringify(spec)).toBe(400);
      const body = (await res.json()) as ErrorBody;
      expect(body.error.message, field).toContain(field);
    }
    expect((await create({ ...SPEC, name: "naïve 日本 sweep" })).status).toBe(201);
  });

  it("row 4: the CLI escapes control characters from the coordinator in ls, status and logs", async () => {
    // a sweep written before the rule (straight to the store), with a hostile name, path and log
    const hostile = {
      ...(SPEC as unknown as SweepSpec),
      name: "evil\u001b]0;pwned\u0007\u001b[2J\u202Egnp.exe",
      method: "random",
      metric: { name: "val_accuracy", goal: "maximize" },
      parameters: {},
      dataset: { path: "x.csv\n[coordinator] 12:00:00 info forged", label: "y", task: "classification" },
      model: { hidden: [8], activation: "relu" },
      cv: { folds: 2, stratified: true, seed: 0 },
      budget: { max_trials: 1, max_parallel: 1, max_epochs: 1 },
      early_terminate: { type: "none" },
      seed: 0,
    } as SweepSpec;
    const sweep = await store.createSweep(hostile);
    await proposeTrial(store, sweep.id, 0, {});
    await store.appendTrialLog(sweep.id, "t0000", [
      { time: Date.now(), level: "error", worker: "w\u001b[31m1", message: "bad\n[coordinator] forged\u0007" },
    ]);
    const env = cleanEnv({ HPO_URL: url, HPO_TOKEN: TOKEN });
    for (const args of [["ls"], ["status", sweep.id], ["logs", sweep.id, "t0000"], ["ls", "--json"]]) {
      const r = await runCli(args, { cwd: REPO_ROOT, env });
      const out = r.stdout + r.stderr;
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      expect(RAW_CONTROL.test(out), `${args.join(" ")} printed a raw control character`).toBe(false);
      expect(out).not.toMatch(/\n\[coordinator\] /);
    }
    const ls = await runCli(["ls"], { cwd: REPO_ROOT, env });
    expect(ls.stdout).toContain("\\x1b]0;pwned\\x07");
  });

  it("row 5: extend's seconds are bounded like at creation, and so is the resulting time budget", async () => {
    const { id } = (await (await create(SPEC)).json()) as { id: string };
    const extend = (body: unknown) =>
      fetch(`${url}/api/sweeps/${id}/extend`, {
        method: "POST",
        headers: { "content-type": "application/json", ...auth },
        body: JSON.stringify(body),
      });
    for (const seconds of [1.7e308, 1e9 + 1]) {
      const res = await extend({ seconds });
      expect(res.status, String(seconds)).toBe(400);
      expect(((await res.json()) as ErrorBody).error.message).toContain("seconds must be a number > 0 and at most");
    }
    // 600 + 1e9 passes the bound of budget.max_seconds
    const over = await extend({ seconds: 1e9 });
    expect(over.status).toBe(400);
    expect(((await over.json()) as ErrorBody).error.message).toContain("max_seconds would be");
    const ok = await extend({ seconds: 60 });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { spec: SweepSpec }).spec.budget.max_seconds).toBe(660);
    expect((await store.getSweep(id))?.status).toBe("running");
  });

  it("row 6: ids from the URL that cannot be sweep ids answer 404, never reach Redis, log nothing at error level", async () => {
    const { id } = (await (await create(SPEC)).json()) as { id: string };
    const before = stack.logLines.length;
    for (const bad of [`${id}:trials`, `${id}:state`, "x:y", "..", "%00", "a".repeat(70)]) {
      for (const path of [`/api/sweeps/${bad}`, `/api/sweeps/${bad}/trials`, `/api/sweeps/${bad}/trials/t0000`]) {
        const res = await fetch(`${url}${path}`);
        expect(res.status, path).toBe(404);
      }
      const cancel = await fetch(`${url}/api/sweeps/${bad}/cancel`, { method: "POST", headers: auth });
      expect(cancel.status).toBe(404);
    }
    const errors = stack.logLines.slice(before).filter((l) => (JSON.parse(l) as { level: number }).level >= 50);
    expect(errors).toEqual([]);
  });

  it("row 7: one route label per route, whatever the case of the URL", async () => {
    const { id } = (await (await create(SPEC)).json()) as { id: string };
    for (const base of ["/api/sweeps", "/API/SWEEPS", "/aPi/sWeEpS", "/Api/Sweeps"]) {
      expect((await fetch(`${url}${base}/${id}`)).status).toBe(200);
    }
    const text = await (await fetch(`${url}/metrics`)).text();
    const routes = new Set(
      parseExposition(text)
        .filter(
          (s) => s.name === "hpo_http_request_duration_seconds_count" && /sweeps\/:id$/i.test(s.labels.route ?? ""),
        )
        .map((s) => s.labels.route),
    );
    expect([...routes]).toEqual(["/api/sweeps/:id"]);
  });
});
