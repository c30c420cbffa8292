import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ApiErrorBody, type Issue, largestTrial, parseSweepSpec } from "@hpo/core";
import { waitFor } from "@hpo/core/testing";
import { uniquePrefix } from "@hpo/store/testing";
import { afterAll, describe, expect, it } from "vitest";
import { apiClient } from "../helpers/api.ts";
import { type Proc, startCoordinatorProcess, startWorkerProcess } from "../helpers/processes.ts";
import { type E2eStack, startE2eStack } from "../helpers/stack.ts";

const dir = mkdtempSync(join(tmpdir(), "hpo-bad-data-"));
// line 4 has text in a column the sweep declares numeric
writeFileSync(join(dir, "bad.csv"), "age,port,y\n22,S,0\n38,C,1\nunknown,S,1\n35,Q,0\n");

const SWEEP = `
name: bad-data
dataset: { path: bad.csv, label: y, columns: { age: numeric } }
cv: { folds: 2, stratified: false }
parameters:
  learning_rate: { distribution: log_uniform_values, min: 0.001, max: 0.1 }
budget: { max_trials: 12, max_parallel: 2, max_epochs: 2 }
`;
const PROBLEM = 'dataset "bad.csv", line 4: non-numeric cell "unknown" in numeric column "age"';

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** POSTs a sweep spec as YAML to the coordinator at `url`; resolves with the raw response. */
const submitYaml = (url: string, yaml: string) =>
  fetch(`${url}/api/sweeps`, { method: "POST", headers: { "content-type": "application/yaml" }, body: yaml });

/** 200,000 good rows, then the same bad row as bad.csv: about 0.9 s CPU to parse, at least twice that to find the line. */
const BIG_ROWS = 200_000;
function writeBigCsv(): void {
  const ports = ["S", "C", "Q"];
  const lines = ["age,port,y"];
  for (let i = 0; i < BIG_ROWS; i++) lines.push(`${20 + (i % 50)},${ports[i % 3]},${i % 2}`);
  lines.push("unknown,S,1", "");
  writeFileSync(join(dir, "big.csv"), lines.join("\n"));
}

describe("a sweep whose CSV file cannot be used", () => {
  it("is refused at submit with a 400 naming file, line and column when the coordinator can read the file", async () => {
    const prefix = uniquePrefix("e2e-bad-data-submit");
    const { proc, url } = await startCoordinatorProcess({ prefix, env: { HPO_DATA_DIRS: dir } });
    try {
      const res = await submitYaml(url, SWEEP);
      expect(res.status).toBe(400);
      const body = (await res.json()) as ApiErrorBody & { error: { details?: Issue[] } };
      expect(body.error.code).toBe("INVALID_SPEC");
      expect(body.error.message).toBe(`sweep "bad-data": ${PROBLEM} (declared numeric in dataset.columns)`);
      expect(body.error.details).toEqual([
        { path: "dataset", message: `${PROBLEM} (declared numeric in dataset.columns)` },
      ]);
      expect((await apiClient(url).submit(SWEEP.replace("{ age: numeric }", "{ age: categorical }"))).status).toBe(
        "running",
      );
      const list = (await (await fetch(`${url}/api/sweeps`)).json()) as { total: number };
      expect(list.total).toBe(1); // only the good one was stored
    } finally {
      await proc.stop("SIGTERM");
    }
  });

  it("is checked off the coordinator's event loop: /healthz answers while a large file is checked", async () => {
    writeBigCsv();
    const prefix = uniquePrefix("e2e-bad-data-big");
    const { proc, url } = await startCoordinatorProcess({ prefix, env: { HPO_DATA_DIRS: dir } });
    try {
      // a first check starts the thread (until it is ready, /healthz answers anyway)
      const small = await submitYaml(url, SWEEP);
      expect(small.status).toBe(400);
      let inFlight = true;
      const submit = submitYaml(url, SWEEP.replace("bad.csv", "big.csv")).finally(() => {
        inFlight = false;
      });
      // probes one after another while the submit is in flight; count those answered 200 before it is
      let answered = 0;
      while (inFlight) {
        const probe = await fetch(`${url}/healthz`);
        if (probe.status === 200 && inFlight) answered++;
      }
      const res = await submit;
      expect(res.status).toBe(400);
      const body = (await res.json()) as ApiErrorBody;
      const line = BIG_ROWS + 2;
      expect(body.error.message).toBe(
        `sweep "bad-data": dataset "big.csv", line ${line}: non-numeric cell "unknown" in numeric column "age" (declared numeric in dataset.columns)`,
      );
      // parsed on the main thread, /healthz waits for the whole check: 0 or 1 probes slipped in before it (thread: thousands)
      expect(answered).toBeGreaterThanOrEqual(20);
    } finally {
      await proc.stop("SIGTERM");
    }
  });

  it("sizes the memory estimate with the checked file's encoded input width", async () => {
    // one categorical column of 2,000 cities: 2,000 one-hot inputs where the estimate otherwise assumes 1
    const lines = ["city,y"];
    for (let i = 0; i < 4000; i++) lines.push(`c${i % 2000},${i % 2}`);
    writeFileSync(join(dir, "cities.csv"), `${lines.join("\n")}\n`);
    const sweep = `
name: wide
dataset: { path: cities.csv, label: y, max_categories: 2000 }
model: { hidden: [1024, 1024] }
parameters:
  learning_rate: { distribution: log_uniform_values, min: 0.001, max: 0.1 }
budget: { max_trials: 2, max_parallel: 1, max_epochs: 1 }
`;
    const spec = parseSweepSpec(sweep);
    const unknown = largestTrial(spec).estimate.bytes;
    const encoded = largestTrial(spec, { rows: 4000, features: 2000, outputs: 2 }).estimate.bytes;
    const limitMb = Math.round((unknown + encoded) / 2 / 2 ** 20);
    const prefix = uniquePrefix("e2e-wide-data");
    const { proc, url } = await startCoordinatorProcess({
      prefix,
      env: { HPO_DATA_DIRS: dir, HPO_TRIAL_MEMORY_MB: String(limitMb) },
    });
    try {
      const res = await submitYaml(url, sweep);
      const body = (await res.json()) as ApiErrorBody;
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(body.error.message).toMatch(
        /^sweep "wide": hidden \[1024, 1024\] with batch_size 32, 5 folds and adam needs about /,
      );
    } finally {
      await proc.stop("SIGTERM");
    }
  });

  describe("when only the workers can read it", () => {
    const prefix = uniquePrefix("e2e-bad-data-worker");
    let stack: E2eStack | undefined;

    afterAll(async () => {
      await stack?.close();
    });

    it("ends the sweep at the first trial's data error, with that error, instead of failing every trial", async () => {
      // the in-process coordinator has no data directories: it cannot check the file
      stack = await startE2eStack({ prefix, coordinator: { mode: "tfjs" } });
      const worker: Proc = await startWorkerProcess({ prefix, name: "bad-data-w1", env: { HPO_DATA_DIRS: dir } });
      stack.workers.push(worker);
      const api = apiClient(stack.coordinator.url);
      const submitted = await api.submit(SWEEP);
      const done = await waitFor(
        "the sweep to end",
        async () => {
          const s = await api.sweep(submitted.id);
          return s.status !== "running" && s.counts.queued + s.counts.running === 0 && s;
        },
        { timeoutMs: 90_000, intervalMs: 200 },
      );
      expect(done.status).toBe("failed");
      expect(done.reason).toMatch(/^dataset error in t000[01]: /);
      expect(done.reason).toContain(PROBLEM);
      // ended at once: at most the trials in flight when the first one failed, not all 12
      expect(done.counts.failed).toBeLessThanOrEqual(2);
      expect(done.counts.failed + done.counts.cancelled).toBe(done.proposed);
      expect(done.proposed).toBeLessThan(12);
    });
  });
});
