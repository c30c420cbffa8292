/**
 * Parameter importance per sweep, computed in a worker thread and cached. A request never waits
 * for a computation: it gets the last result (status "computing" while a newer one runs, or no
 * params yet) and the client polls. Recomputed when the number of completed trials changed.
 */
import type { Goal, Importance, ParamValue } from "@hpo/core";
import type { SweepTable } from "../sweep-table.ts";
import { createImportanceRunner, type ImportanceRunner } from "./importance-runner.ts";
import type { Cell } from "./ped-anova.ts";

/** Fewer completed trials than this: "insufficient". */
export const MIN_TRIALS = 8;

export interface ImportanceService {
  get(table: SweepTable, goal: Goal): Importance;
  /** Resolves when the computation for `sweepId` in flight (if any) is done (tests). */
  settled(sweepId: string): Promise<void>;
  close(): Promise<void>;
}

const METHOD = "PED-ANOVA (top 10% vs all)";

const cell = (v: ParamValue | undefined): Cell =>
  v === undefined ? null : typeof v === "number" ? v : Array.isArray(v) ? `[${v.join(",")}]` : String(v);

interface Entry {
  completed: number;
  params: Importance["params"];
  inflight?: Promise<void>;
  inflightFor?: number;
}

export function createImportanceService(runner: ImportanceRunner = createImportanceRunner()): ImportanceService {
  const cache = new Map<string, Entry>();
  return {
    get(table, goal) {
      const sweepId = table.sweepId;
      const paramNames = table.paramNames;
      const done: number[] = [];
      for (let i = 0; i < table.size; i++) {
        if (table.has(i) && table.state(i) === "completed" && !Number.isNaN(table.mean(i))) done.push(i);
      }
      const entry = cache.get(sweepId) ?? { completed: -1, params: [] };
      cache.set(sweepId, entry);
      if (done.length < MIN_TRIALS) {
        return { status: "insufficient", method: METHOD, completed: done.length, params: [] };
      }
      if (entry.completed === done.length) {
        return { status: "ready", method: METHOD, completed: entry.completed, params: entry.params };
      }
      if (!entry.inflight || entry.inflightFor !== done.length) {
        const n = done.length;
        const input = {
          names: paramNames,
          columns: paramNames.map((p) => done.map((i) => cell(table.param(p, i)))),
          scores: done.map((i) => table.mean(i)),
          goal,
        };
        const job = (entry.inflight ?? Promise.resolve())
          .then(async () => {
            const res = await runner.run(input);
            if (n >= entry.completed) {
              entry.completed = n;
              entry.params = res.map((r) => ({ name: r.name, importance: r.importance }));
            }
          })
          .catch(() => undefined); // a failed run leaves the last result; the next request retries
        entry.inflight = job;
        entry.inflightFor = n;
        void job.finally(() => {
          if (entry.inflight === job) entry.inflight = undefined;
        });
      }
      return { status: "computing", method: METHOD, completed: done.length, params: entry.params };
    },
    async settled(sweepId) {
      await cache.get(sweepId)?.inflight;
    },
    close: () => runner.close(),
  };
}
