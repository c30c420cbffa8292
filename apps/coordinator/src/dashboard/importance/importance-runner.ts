/**
 * Runs PED-ANOVA in a worker thread so that a 100,000-trial computation never blocks the API.
 * The coordinator runs TypeScript from source, so the thread registers tsx before importing the
 * worker module. If the thread cannot start (no tsx, a bundled build), the computation falls
 * back to the main thread after yielding to the event loop.
 */
import { Worker } from "node:worker_threads";
import { threadCode } from "../thread-code.ts";
import { type ImportanceInput, type ParamImportance, pedAnova } from "./ped-anova.ts";

export interface ImportanceRunner {
  run(input: ImportanceInput): Promise<ParamImportance[]>;
  /** Terminates the thread. */
  close(): Promise<void>;
}

export function createImportanceRunner(): ImportanceRunner {
  let worker: Worker | null = null;
  let broken = false;
  let seq = 0;
  const pending = new Map<number, { resolve: (r: ParamImportance[]) => void; input: ImportanceInput }>();

  const inline = (input: ImportanceInput) =>
    new Promise<ParamImportance[]>((resolve) => setImmediate(() => resolve(pedAnova(input))));

  const failAll = () => {
    broken = true;
    worker = null;
    for (const [id, p] of pending) {
      pending.delete(id);
      void inline(p.input).then(p.resolve);
    }
  };

  const ensure = (): Worker | null => {
    if (worker || broken) return worker;
    const code = threadCode(import.meta.url, "importance-worker");
    if (!code) {
      broken = true;
      return null;
    }
    const w = new Worker(code, { eval: true });
    w.unref();
    w.on("message", (m: { id: number; result?: ParamImportance[]; error?: string }) => {
      if (m.id === -1) return failAll();
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (m.result) p.resolve(m.result);
      else void inline(p.input).then(p.resolve);
    });
    w.on("error", failAll);
    w.on("exit", () => {
      if (worker === w) worker = null;
      if (pending.size > 0) failAll();
    });
    worker = w;
    return w;
  };

  return {
    run(input) {
      const w = ensure();
      if (!w) return inline(input);
      const id = ++seq;
      return new Promise((resolve) => {
        pending.set(id, { resolve, input });
        w.postMessage({ id, input });
      });
    },
    async close() {
      const w = worker;
      worker = null;
      broken = true;
      if (w) await w.terminate();
    },
  };
}
