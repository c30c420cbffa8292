/**
 * What the export tests share: a coordinator process and a worker process under a fresh prefix,
 * a scratch folder, the CLI against them, and a sweep run to completion with its test score.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SweepRecord } from "@hpo/core";
import { waitFor } from "@hpo/core/testing";
import { deleteKeysUnder } from "@hpo/store";
import { Redis } from "ioredis";
import { type CliResult, cleanEnv, runCli } from "../cli/run-cli.ts";
import { apiClient } from "./api.ts";
import { type Proc, REDIS_URL, startCoordinatorProcess, startWorkerProcess } from "./processes.ts";

export interface ExportStack {
  readonly coordinator: { readonly proc: Proc; readonly url: string };
  readonly worker: Proc;
  /** Scratch folder (the CLI's working directory), removed by `close()`. */
  readonly dir: string;
  /** Runs `hpo args` against the coordinator, in `dir`. */
  cli(args: readonly string[]): Promise<CliResult>;
  /**
   * Submits `spec` and resolves when the sweep is over and (unless `withTest` is false: no test
   * split) its test score is no longer pending.
   */
  finished(spec: string, withTest?: boolean): Promise<SweepRecord>;
  /** Stops both processes, deletes the prefix's keys and the folder. */
  close(): Promise<void>;
}

/** Starts a coordinator and a worker process with `env` (both), under `prefix`. */
export async function startExportStack(prefix: string, env: Record<string, string>): Promise<ExportStack> {
  const redis = new Redis(REDIS_URL);
  const dir = mkdtempSync(join(tmpdir(), "hpo-export-"));
  const [c, w] = await Promise.allSettled([
    startCoordinatorProcess({ prefix, env }),
    startWorkerProcess({ prefix, name: `${prefix}-w1`, env }),
  ]);
  const close = async () => {
    if (w.status === "fulfilled") await w.value.stop();
    if (c.status === "fulfilled") await c.value.proc.stop();
    await deleteKeysUnder(redis, prefix);
    await redis.quit();
    rmSync(dir, { recursive: true, force: true });
  };
  if (c.status === "rejected" || w.status === "rejected") {
    await close();
    throw c.status === "rejected" ? c.reason : (w as PromiseRejectedResult).reason;
  }
  const coordinator = c.value;
  return {
    coordinator,
    worker: w.value,
    dir,
    cli: (args) => runCli(args, { cwd: dir, env: cleanEnv({ HPO_URL: coordinator.url }), timeoutMs: 240_000 }),
    finished: async (spec, withTest = true) => {
      const api = apiClient(coordinator.url);
      const { id } = await api.submit(spec);
      return waitFor(
        `sweep ${id} to end with its test score`,
        async () => {
          const s = await api.sweep(id);
          const scored = !withTest || (s.test !== undefined && s.test.state !== "pending");
          return s.status !== "running" && scored && s;
        },
        { timeoutMs: 300_000, intervalMs: 300 },
      );
    },
    close,
  };
}
