/**
 * Every accepted file of the W&B corpus runs end to end: the file as written (only its budget
 * made small: 2 trials, 2 folds), on a real coordinator and 2 real worker processes, with a stub
 * program standing in for the user's script under the file's own `program` name. The stub reads
 * HPO_PARAMS and reports the sweep's metric for 3 steps, as a W&B program logs it.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { TrialLogLine } from "@hpo/core";
import { uniquePrefix } from "@hpo/store/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { apiClient } from "../helpers/api.ts";
import { startWorkerProcess } from "../helpers/processes.ts";
import { type E2eStack, startE2eStack } from "../helpers/stack.ts";
import { CORPUS } from "./corpus.ts";

const HERE = import.meta.dirname;
const STEPS = 3;

/**
 * A W&B user's script, reduced to what hpo sees: params in, the metric out for a few steps.
 * `nested`: top-level keys that must arrive as objects in HPO_PARAMS and as dotted `--a.b=` args
 * (W&B's nested parameters); the stub exits 3 naming what is missing otherwise.
 */
function stubProgram(metric: string, nested: readonly string[]): string {
  return `import json, os, sys, zlib
params = json.loads(os.environ["HPO_PARAMS"])
for key in ${JSON.stringify(nested)}:
    if not isinstance(params.get(key), dict):
        sys.exit("stub: HPO_PARAMS[%r] is not nested: %s" % (key, json.dumps(params)))
    if not any(a.startswith("--" + key + ".") for a in sys.argv[1:]):
        sys.exit("stub: no --%s.… argument in %s" % (key, sys.argv[1:]))
base = zlib.crc32(json.dumps(params, sort_keys=True).encode()) % 1000 / 1000
for step in range(1, ${STEPS + 1}):
    print(json.dumps({"hpo": {"step": step, ${JSON.stringify(metric)}: base + step / 10}}), flush=True)
`;
}

/** Top-level parameters of a file that hold `parameters` (W&B groups). */
function groups(spec: Record<string, unknown>): string[] {
  const parameters = (spec.parameters ?? {}) as Record<string, Record<string, unknown>>;
  return Object.keys(parameters).filter((k) => parameters[k] && "parameters" in parameters[k]);
}

const accepted = CORPUS.filter((c) => !c.refused);

describe("every accepted W&B corpus file runs end to end with a stub program", () => {
  const prefix = uniquePrefix("e2e-wandb-corpus");
  const root = mkdtempSync(join(tmpdir(), "hpo-wandb-corpus-"));
  let stack: E2eStack;
  let api: ReturnType<typeof apiClient>;
  /** Sweep id by corpus file: all submitted at once, so the fleet runs them side by side. */
  const sweepOf = new Map<string, string>();

  beforeAll(async () => {
    stack = await startE2eStack({ prefix, coordinator: { mode: "tfjs" } });
    // Workers may run programs only from the corpus folder (HPO_PROGRAM_DIRS).
    const started = await Promise.all(
      ["corpus-w1", "corpus-w2"].map((name) => startWorkerProcess({ prefix, name, env: { HPO_PROGRAM_DIRS: root } })),
    );
    stack.workers.push(...started);
    api = apiClient(stack.coordinator.url);
    for (const { file } of accepted) {
      const spec = parse(readFileSync(join(HERE, "files", file), "utf8")) as Record<string, unknown>;
      const program = join(root, file.replace(/\W/g, "_"), String(spec.program));
      mkdirSync(dirname(program), { recursive: true });
      writeFileSync(program, stubProgram((spec.metric as { name: string }).name, groups(spec)));
      // The file as written, with a test-sized budget (run_cap is W&B's max_trials).
      const { run_cap: _cap, ...rest } = spec;
      const body = { ...rest, program, budget: { max_trials: 2, max_parallel: 2 }, cv: { folds: 2 } };
      sweepOf.set(file, (await api.submit(JSON.stringify(body))).id);
    }
  });

  afterAll(async () => {
    await stack?.close();
    rmSync(root, { recursive: true, force: true });
  });

  /** What the workers logged about a trial, for failure messages. */
  const logOf = async (sweep: string, trial: string): Promise<string> => {
    const res = await fetch(`${stack.coordinator.url}/api/sweeps/${sweep}/trials/${trial}/log`);
    const { lines } = (await res.json()) as { lines: TrialLogLine[] };
    return lines.map((l) => `${l.message} ${JSON.stringify(l.fields ?? {})}`).join("\n");
  };

  it.each(accepted.map((c) => [c.file]))("%s", async (file) => {
    const id = sweepOf.get(file) as string;
    const done = await api.ended(id, 150_000);
    const trials = (await api.trials(id)).items;
    const bad = trials.find((t) => t.state !== "completed" && t.state !== "pruned");
    const why = bad ? `${bad.id} ${bad.state}: ${bad.error ?? ""}\n${await logOf(id, bad.id)}` : (done.reason ?? "");
    expect(`${done.status} ${bad ? "with a failed trial" : ""}`.trim(), `${file}: ${why}`).toBe("completed");
    expect(trials.length).toBeGreaterThan(0);
    for (const t of trials) {
      expect(["completed", "pruned"]).toContain(t.state);
      if (t.state === "completed") {
        expect(t.folds).toHaveLength(2);
        // The fold's score is the metric's last reported value (step 3: base + 0.3).
        for (const f of t.folds) expect(f.score).toBeGreaterThanOrEqual(STEPS / 10);
      }
    }
  });
});
