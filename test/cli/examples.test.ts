import { randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gridSize, parseSweepSpec } from "@hpo/core";
import { createStore, deleteKeysUnder } from "@hpo/store";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/processes.ts";
import { cleanEnv, freePort, runCli } from "./run-cli.ts";

const EXAMPLES = join(REPO_ROOT, "examples");

describe("sweep files shipped with the project", () => {
  it.each(readdirSync(EXAMPLES).filter((f) => f.endsWith(".yaml")))("examples/%s is a valid sweep", (file) => {
    expect(() => parseSweepSpec(readFileSync(join(EXAMPLES, file), "utf8"))).not.toThrow();
  });

  it("the demo is what README command 1 promises: digits, 5-fold stratified, >= 8 trials over 4 parameters", () => {
    const spec = parseSweepSpec(readFileSync(join(EXAMPLES, "demo.yaml"), "utf8"));
    expect(spec.dataset?.name).toBe("digits");
    expect(spec.cv).toMatchObject({ folds: 5, stratified: true });
    expect(Object.keys(spec.parameters).sort()).toEqual(["batch_size", "dropout", "learning_rate", "optimizer"]);
    expect(Math.min(gridSize(spec), spec.budget.max_trials)).toBeGreaterThanOrEqual(8);
  });

  it("the sweep file shown in the README is valid", () => {
    const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
    const block = /## Sweep files\s+```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    expect(() => parseSweepSpec(block as string)).not.toThrow();
  });
});

describe("examples/tabular-mixed.yaml end to end", () => {
  it("tunes the mixed-type CSV on val_auc through hpo demo: encoded per fold, every metric per epoch", async () => {
    const prefix = `test-tabular-mixed-${randomUUID()}`;
    const dir = mkdtempSync(join(tmpdir(), "hpo-tabular-mixed-"));
    const redis = new Redis("redis://127.0.0.1:6379");
    const store = createStore({ redis, prefix });
    try {
      const r = await runCli(
        ["demo", "--file", join(EXAMPLES, "tabular-mixed.yaml"), "--port", String(await freePort())],
        { cwd: dir, env: cleanEnv({ REDIS_URL: "redis://127.0.0.1:6379", HPO_PREFIX: prefix }), timeoutMs: 240_000 },
      );
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/sweep \S+ "tabular-mixed": completed/);
      expect(r.stdout).toContain("val_auc (max) mean ± std");
      expect(r.stdout.match(/│ completed/g)?.length).toBe(6);
      const sweepId = /sweep (\S+) "tabular-mixed"/.exec(r.stdout)?.[1] as string;
      const best = (await store.listTrials(sweepId, { limit: 1 })).items[0];
      expect(best?.mean).toBeGreaterThan(0.8); // the label follows sex, class, age, port and fare
      const trial = await store.getTrial(sweepId, best?.id as string);
      for (const key of ["val_auc", "val_f1", "val_balanced_accuracy", "val_log_loss", "val_accuracy"]) {
        expect(
          trial?.curve.at(-1)?.folds.every((f) => Number.isFinite(f[key])),
          key,
        ).toBe(true);
      }
      const log = await store.getTrialLog(sweepId, best?.id as string);
      const encoded = log.find((l) => l.message === "dataset encoded");
      expect(encoded?.fields?.max_categories).toBe(8);
      expect(encoded?.fields?.ignored).toEqual(["passenger_id"]);
      const columns = encoded?.fields?.columns as Record<string, string>;
      expect(columns.ticket_prefix).toMatch(/one-hot 8 \+ other: \d+ \(/);
      expect(columns.age).toMatch(/median \d+(\.\d+)? \+ missing indicator/);
      expect(columns.pclass).toBe("one-hot 3");
    } finally {
      await store.close();
      await deleteKeysUnder(redis, prefix);
      await redis.quit();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
