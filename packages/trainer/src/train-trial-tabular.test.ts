import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRng, type EpochReport, type Reporter, type TrialJob } from "@hpo/core";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "./backend.ts";
import { testJob } from "./testing/index.ts";
import { trainTrial } from "./train-trial.ts";

const dir = mkdtempSync(join(tmpdir(), "hpo-tabular-"));

/**
 * `n` rows: age (some missing), port (S/C/Q, some missing, one row "Z"), fare, label y. Positive
 * share `positive`; age, port and fare depend on the label, by `strength`.
 */
function writeMixed(file: string, n: number, positive: number, strength: number, seed: number): void {
  const rng = createRng(seed);
  const lines = ["age,port,fare,y"];
  for (let i = 0; i < n; i++) {
    const y = rng.next() < positive ? 1 : 0;
    const age = 30 + 10 * rng.normal() - 8 * strength * y;
    const port =
      i === 5 ? "Z" : rng.next() < 0.05 ? "" : y && rng.next() < 0.6 * strength ? "C" : rng.next() < 0.5 ? "S" : "Q";
    const fare = 20 + 15 * rng.normal() + 12 * strength * y;
    lines.push(`${rng.next() < 0.1 ? "NA" : age.toFixed(1)},${port},${fare.toFixed(2)},${y}`);
  }
  writeFileSync(join(dir, file), lines.join("\n"));
}

function job(over: Partial<TrialJob> = {}): TrialJob {
  return testJob({
    params: { learning_rate: 0.01, batch_size: 32, optimizer: "adam" },
    dataset: { path: "mixed.csv", label: "y", task: "classification" },
    cv: { folds: 4, stratified: true, seed: 1 },
    metric: { name: "val_auc", goal: "maximize" },
    maxEpochs: 6,
    seed: 7,
    ...over,
  });
}

function recorder(): Reporter & { reports: EpochReport[]; lines: [string, Record<string, unknown>?][] } {
  const reports: EpochReport[] = [];
  const lines: [string, Record<string, unknown>?][] = [];
  return {
    reports,
    lines,
    report: async (r) => {
      reports.push(r);
      return false;
    },
    log: (message, fields) => {
      lines.push([message, fields as Record<string, unknown>]);
    },
  };
}

const never = new AbortController().signal;
const dataDirs = [dir];

beforeAll(async () => {
  await selectBackend("wasm");
  writeMixed("mixed.csv", 400, 0.4, 1, 1);
  writeMixed("rare.csv", 600, 0.1, 0.6, 2);
});

describe("trainTrial on mixed-type CSV data", () => {
  it("trains on categorical and missing cells, reports every metric per epoch, and logs the encoding", async () => {
    const rep = recorder();
    const out = await trainTrial(job(), rep, never, { dataDirs });
    expect(out.state, out.error).toBe("completed");
    const mean = out.folds.reduce((a, f) => a + f.score, 0) / out.folds.length;
    expect(mean).toBeGreaterThan(0.7);
    for (const r of rep.reports) {
      for (const f of r.folds) {
        for (const key of ["val_auc", "val_f1", "val_balanced_accuracy", "val_log_loss", "val_accuracy"])
          expect(Number.isFinite(f[key]), `${key} at epoch ${r.epoch}`).toBe(true);
      }
    }
    expect(rep.lines).toHaveLength(1);
    const [message, fields] = rep.lines[0] ?? [""];
    expect(message).toBe("dataset encoded");
    const columns = fields?.columns as Record<string, string>;
    expect(columns.age).toMatch(/median [\d.]+ \+ missing indicator/);
    // "Z" is in one row: the three folds that train on it have one more input than the fold that validates on it
    expect(new Set(fields?.inputs as number[]).size).toBe(2);
    expect(columns.port).toMatch(/one-hot 3 \+ missing|one-hot 4 \+ missing/);
  });

  it("puts categories past max_categories into other, and says so in the log", async () => {
    const rep = recorder();
    const out = await trainTrial(
      job({ dataset: { path: "mixed.csv", label: "y", task: "classification", max_categories: 1 } }),
      rep,
      never,
      { dataDirs },
    );
    expect(out.state, out.error).toBe("completed");
    const fields = rep.lines[0]?.[1];
    expect(fields?.max_categories).toBe(1);
    expect((fields?.columns as Record<string, string> | undefined)?.port).toMatch(/one-hot 1 \+ other: \d \(/);
  });

  it("class_weight balanced raises balanced accuracy on imbalanced labels (10% positives)", async () => {
    const run = async (classWeight: string) => {
      const out = await trainTrial(
        job({
          dataset: { path: "rare.csv", label: "y", task: "classification" },
          metric: { name: "val_balanced_accuracy", goal: "maximize" },
          params: { learning_rate: 0.003, batch_size: 32, optimizer: "adam", class_weight: classWeight },
          maxEpochs: 4,
        }),
        recorder(),
        never,
        { dataDirs },
      );
      expect(out.state, out.error).toBe("completed");
      return out.folds.reduce((a, f) => a + f.score, 0) / out.folds.length;
    };
    const plain = await run("none");
    const balanced = await run("balanced");
    expect(balanced).toBeGreaterThan(plain + 0.05);
  });
});
