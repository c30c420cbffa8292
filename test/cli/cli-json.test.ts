import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deleteTestKeys, uniquePrefix } from "@hpo/store/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type InProcessCoordinator, startCoordinator } from "../helpers/coordinator.ts";
import { noopSpecYaml } from "../helpers/noop-spec.ts";
import { type Proc, REPO_ROOT, startWorkerProcess } from "../helpers/processes.ts";
import { schemaProblems } from "../helpers/schema-check.ts";
import { cleanEnv, runCli } from "./run-cli.ts";

type Schema = Record<string, unknown>;
const doc = parse(readFileSync(join(REPO_ROOT, "docs/openapi.yaml"), "utf8")) as Schema;
const schema = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });

/**
 * The JSON the CLI prints for scripts — `status --json`, `ls --json`, `watch --json` — against
 * the schemas docs/openapi.yaml gives for them (CliStatus, CliLs, CliWatchEvent), on a real sweep:
 * an in-process coordinator and a worker process scoring noop trials.
 */
describe("hpo CLI JSON output matches its documented schema", () => {
  const prefix = uniquePrefix("cli-json");
  const maxTrials = 12;
  let coordinator: InProcessCoordinator;
  let worker: Proc;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "hpo-cli-json-"));
    coordinator = await startCoordinator({ prefix, mode: "noop", tickMs: 100 });
    worker = await startWorkerProcess({ prefix, name: "cli-json-w1" });
    env = cleanEnv({ HPO_URL: coordinator.url });
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
    await coordinator?.close();
    await deleteTestKeys(prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  it("watch --json: one event per line — a trial event per trial, progress, then end", async () => {
    writeFileSync(
      join(dir, "s.yaml"),
      noopSpecYaml({ name: "cli-json", seed: 3, maxTrials, maxParallel: 2, maxEpochs: 3 }),
    );
    const submitted = await runCli(["submit", "s.yaml"], { cwd: dir, env });
    expect(submitted.code, submitted.stderr).toBe(0);
    const id = submitted.stdout.trim();

    const watched = await runCli(["watch", id, "--json", "--interval", "100"], { cwd: dir, env });
    expect(watched.code, watched.stderr).toBe(0);
    const lines = watched.stdout.trimEnd().split("\n");
    const events = lines.map((l) => JSON.parse(l) as { event: string; sweepId: string; trial?: { id: string } });
    for (const [i, e] of events.entries()) {
      expect(schemaProblems(doc, schema("CliWatchEvent"), e), `line ${i + 1}: ${lines[i]}`).toEqual([]);
      expect(e.sweepId).toBe(id);
    }
    const trials = events.filter((e) => e.event === "trial").map((e) => e.trial?.id);
    expect(new Set(trials).size).toBe(maxTrials);
    expect(trials).toHaveLength(maxTrials);
    expect(events.some((e) => e.event === "progress")).toBe(true);
    expect(events.filter((e) => e.event === "end")).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ event: "end", status: "completed" });

    const [status, ls] = await Promise.all([
      runCli(["status", id, "--json"], { cwd: dir, env }),
      runCli(["ls", "--json"], { cwd: dir, env }),
    ]);
    expect(status.code, status.stderr).toBe(0);
    const sweep = JSON.parse(status.stdout) as { trials: unknown[] };
    expect(sweep.trials).toHaveLength(maxTrials);
    expect(schemaProblems(doc, schema("CliStatus"), sweep)).toEqual([]);
    expect(ls.code, ls.stderr).toBe(0);
    expect(schemaProblems(doc, schema("CliLs"), JSON.parse(ls.stdout))).toEqual([]);
  }, 180_000);

  it("the schemas are strict enough to catch a missing field or a wrong type", () => {
    const trial = { id: "t0000", index: 0, params: {}, state: "completed", mean: 0.5, std: 0.1, sem: 0.05 };
    const stats = { ciLow: 0.4, ciHigh: 0.6, pBest: 1, tied: true };
    const full = { ...trial, ...stats, folds: [0.5], durationMs: 10, prunedAt: null, flags: [], error: null };
    expect(schemaProblems(doc, schema("CliTrial"), full)).toEqual([]);
    expect(schemaProblems(doc, schema("CliTrial"), trial)).not.toEqual([]);
    expect(schemaProblems(doc, schema("CliTrial"), { ...full, mean: "0.5" })).not.toEqual([]);
    expect(schemaProblems(doc, schema("CliTrial"), { ...full, tied: "yes" })).not.toEqual([]);
    const progress = { event: "progress", time: "x", sweepId: "s", status: "running", done: 1, total: 2, running: 1 };
    expect(schemaProblems(doc, schema("CliWatchEvent"), progress)).not.toEqual([]);
  });
});
