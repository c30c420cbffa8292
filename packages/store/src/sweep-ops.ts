import { HpoError, SPEC_LIMITS, type SweepRecord, type SweepStatus } from "@hpo/core";
import { SCRIPTS } from "./lua-scripts.ts";
import { type ReopenOptions, reopenedSpec } from "./reopen.ts";
import { checkScriptResult, SCRIPT_RESULT } from "./script-results.ts";
import type { StoreContext } from "./store-context.ts";
import type { Store } from "./store-types.ts";
import { newSweepId } from "./sweep-id.ts";

/** Clamps a page request: offset ≥ 0 (default 0), 0 ≤ limit ≤ 1000 (default 50). */
export const clampPage = (offset = 0, limit = 50) => ({
  offset: Math.max(0, Math.floor(offset)),
  limit: Math.min(1000, Math.max(0, Math.floor(limit))),
});

type SweepOps = Pick<
  Store,
  | "ping"
  | "createSweep"
  | "getSweep"
  | "getSweepStatus"
  | "listSweeps"
  | "runningSweepIds"
  | "setSweepStatus"
  | "resumeSweep"
  | "extendSweep"
>;

/** The sweep-level part of the store: sweep records, their status and their reopening. */
export function sweepOps(ctx: StoreContext): SweepOps {
  const { redis, keys, keyPrefix, now, guard, evalScript, readSweeps } = ctx;

  /** Compare-and-set of the spec plus the status move, retried while another writer wins. */
  const reopen = async (sweepId: string, mode: "resume" | "extend", add: ReopenOptions) => {
    for (let attempt = 0; ; attempt++) {
      const [sweep] = await readSweeps([sweepId]);
      if (!sweep) throw new HpoError("NOT_FOUND", `${mode} sweep "${sweepId}": no such sweep`);
      const reopening = mode === "resume" || sweep.status === "completed";
      const spec = reopenedSpec(sweep.spec, reopening ? sweep.finishedAt : undefined, now(), add);
      if (spec.budget.max_trials > SPEC_LIMITS.maxTrials) {
        throw new HpoError(
          "INVALID_SPEC",
          `extend sweep "${sweepId}": max_trials would be ${spec.budget.max_trials}, more than ${SPEC_LIMITS.maxTrials}`,
        );
      }
      const seconds = spec.budget.max_seconds;
      if (seconds !== undefined && !(Number.isFinite(seconds) && seconds <= SPEC_LIMITS.maxSeconds)) {
        throw new HpoError(
          "INVALID_SPEC",
          `${mode} sweep "${sweepId}": max_seconds would be ${seconds}, more than ${SPEC_LIMITS.maxSeconds}`,
        );
      }
      const r = (await evalScript(
        SCRIPTS.reopenSweep,
        [keys.sweep(sweepId), keys.running],
        [keyPrefix, sweepId, JSON.stringify(sweep.spec), JSON.stringify(spec), mode],
      )) as number;
      if (r === SCRIPT_RESULT.SPEC_CHANGED && attempt < 20) continue;
      const allowed = mode === "resume" ? "only a cancelled sweep can be resumed" : "a failed sweep cannot be extended";
      checkScriptResult(r, {
        operation: `${mode} sweep "${sweepId}"`,
        subject: `sweep "${sweepId}"`,
        notAllowed: `the sweep is ${sweep.status}; ${allowed}`,
      });
      return { sweep: (await readSweeps([sweepId]))[0] as SweepRecord, requeued: r };
    }
  };

  return {
    async ping() {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve("timeout"), 1000);
      });
      try {
        return (await Promise.race([redis.ping(), timeout])) === "PONG";
      } catch {
        return false;
      } finally {
        clearTimeout(timer);
      }
    },

    createSweep: (spec) =>
      guard("create sweep", async () => {
        const createdAt = now();
        for (;;) {
          const id = newSweepId(spec.name);
          const key = keys.sweep(id);
          if ((await redis.hsetnx(key, "spec", JSON.stringify(spec))) === 0) continue; // id clash
          await redis
            .multi()
            .hset(key, { name: spec.name, status: "running", createdAt, proposed: 0, goal: spec.metric.goal })
            .zadd(keys.sweeps, createdAt, id)
            .sadd(keys.running, id)
            .exec();
          return (await readSweeps([id]))[0] as SweepRecord;
        }
      }),

    getSweep: (sweepId) => guard(`get sweep "${sweepId}"`, async () => (await readSweeps([sweepId]))[0]),

    getSweepStatus: (sweepId) =>
      guard(`get status of sweep "${sweepId}"`, async () => {
        const status = await redis.hget(keys.sweep(sweepId), "status");
        return (status ?? undefined) as SweepStatus | undefined;
      }),

    listSweeps: (offset, limit) =>
      guard("list sweeps", async () => {
        const page = clampPage(offset, limit);
        const [ids, total] = await Promise.all([
          page.limit === 0 ? [] : redis.zrevrange(keys.sweeps, page.offset, page.offset + page.limit - 1),
          redis.zcard(keys.sweeps),
        ]);
        return { items: await readSweeps(ids), total, ...page };
      }),

    runningSweepIds: () => guard("list running sweeps", () => redis.smembers(keys.running)),

    setSweepStatus: (sweepId, status, reason) =>
      guard(`set status of sweep "${sweepId}"`, async () => {
        const r = await evalScript(
          SCRIPTS.setSweepStatus,
          [keys.sweep(sweepId), keys.running],
          [sweepId, status, now(), reason ?? ""],
        );
        checkScriptResult(r, { operation: `set status of sweep "${sweepId}"`, subject: `sweep "${sweepId}"` });
        return r === SCRIPT_RESULT.DONE;
      }),

    resumeSweep: (sweepId) => guard(`resume sweep "${sweepId}"`, () => reopen(sweepId, "resume", {})),

    extendSweep: (sweepId, add) =>
      guard(`extend sweep "${sweepId}"`, async () => (await reopen(sweepId, "extend", add)).sweep),
  };
}
