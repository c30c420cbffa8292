/**
 * Runs PED-ANOVA in a worker thread (importance-thread.ts) so that a 100,000-trial computation
 * never blocks the API. Until the thread is ready, or when it cannot start (no tsx, a bundled
 * build) or its computation fails, the computation runs on the main thread after yielding to the
 * event loop.
 */
import { createRequestThread } from "../../request-thread.ts";
import { type ImportanceInput, type ParamImportance, pedAnova } from "./ped-anova.ts";

export interface ImportanceRunner {
  run(input: ImportanceInput): Promise<ParamImportance[]>;
  /** Terminates the thread. */
  close(): Promise<void>;
}

export function createImportanceRunner(): ImportanceRunner {
  const inline = (input: ImportanceInput) =>
    new Promise<ParamImportance[]>((resolve) => setImmediate(() => resolve(pedAnova(input))));
  const thread = createRequestThread<ImportanceInput, ParamImportance[]>({
    callerUrl: import.meta.url,
    name: "importance-thread",
    inline,
  });
  return {
    run: (input) => thread.request(input).catch(() => inline(input)),
    close: thread.close,
  };
}
