/**
 * Worker processes tuned for fault tests: short BullMQ locks so a dead worker's trial comes back
 * within seconds (HPO_LOCK_MS 2 s, stall check every 1 s, one stall survived), allowed to run the
 * fault model module (fixtures/models/fault-model.ts; sweeps name it with `model: { module:
 * FAULT_MODEL }`): trials run in the training thread, take FAULT_EPOCH_MS per step and train no
 * tensors (the coordinator must run in "tfjs" mode).
 */
import { type Proc, startWorkerProcess } from "../helpers/processes.ts";
import { FAULT_MODEL_DIR } from "./fixtures/fault-model.ts";

export const FAULT_LOCK_ENV = {
  HPO_LOCK_MS: "2000",
  HPO_STALLED_INTERVAL_MS: "1000",
  HPO_MAX_STALLED_COUNT: "1",
} as const;

export interface FaultWorkerOptions {
  readonly prefix: string;
  readonly name: string;
  /** Per-step sleep of fault-model trials (FAULT_EPOCH_MS). Default 100. */
  readonly epochMs?: number;
  /** Trial ids that SIGKILL their worker (FAULT_KILL_TRIALS). */
  readonly killTrials?: readonly string[];
  /** Extra env (e.g. REDIS_URL of a private redis-server). */
  readonly env?: Record<string, string>;
}

export function startFaultWorker(opts: FaultWorkerOptions): Promise<Proc> {
  return startWorkerProcess({
    prefix: opts.prefix,
    name: opts.name,
    env: {
      ...FAULT_LOCK_ENV,
      HPO_BACKEND: "cpu",
      HPO_MODEL_DIRS: FAULT_MODEL_DIR,
      FAULT_EPOCH_MS: String(opts.epochMs ?? 100),
      FAULT_KILL_TRIALS: (opts.killTrials ?? []).join(","),
      HPO_CLOSE_GRACE_MS: "3000",
      ...opts.env,
    },
  });
}

/** The `msg` values of a process's pino log lines at level ≥ error (50). */
export function errorLogs(proc: Proc): string[] {
  return proc
    .logs()
    .filter((r) => typeof r.level === "number" && r.level >= 50)
    .map((r) => `${String(r.msg)} ${JSON.stringify(r.err ?? "")}`);
}
