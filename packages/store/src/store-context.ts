import { HpoError, type SweepRecord, type TrialRecord } from "@hpo/core";
import type { Redis } from "ioredis";
import { decodeSweep, decodeTrial } from "./codec.ts";
import { type Keys, keysFor } from "./keys.ts";
import type { LuaScript } from "./lua-scripts.ts";
import { createRedis } from "./redis-url.ts";
import type { StoreOptions } from "./store-types.ts";

/**
 * What every part of the store shares: the connection, key names, clock and the helpers that
 * run scripts and pipelines. Built once per `createStore`; the parts (sweep-ops, trial-writes,
 * trial-reads, broadcasts) are functions of it.
 */
export interface StoreContext {
  readonly redis: Redis;
  /** True when the store opened `redis` (and so closes it). */
  readonly owned: boolean;
  readonly prefix: string;
  /** The key names (keys.ts). */
  readonly keys: Keys;
  /** `${prefix}:`, what scripts prepend to the keys they build. */
  readonly keyPrefix: string;
  readonly now: () => number;
  /** StoreOptions.waitReplicas. */
  readonly waitReplicas?: { readonly replicas: number; readonly timeoutMs: number };
  /** Runs `fn`; Redis errors surface as HpoError UNAVAILABLE, HpoErrors pass through. */
  guard<T>(operation: string, fn: () => Promise<T>): Promise<T>;
  /** EVALSHA of `script` (the body is sent only when Redis does not know it yet, e.g. after a restart). */
  evalScript(script: LuaScript, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown>;
  /** Sweep hashes by id (missing ones left out), one pipelined round trip. */
  readSweeps(ids: readonly string[]): Promise<SweepRecord[]>;
  /** Trial hashes by id (missing ones left out), one pipelined round trip. */
  readTrials(sweepId: string, ids: readonly string[]): Promise<TrialRecord[]>;
}

/** "" for undefined and non-finite numbers (scripts read "" as "none"). */
export const finite = (v: number | undefined): string => (v !== undefined && Number.isFinite(v) ? String(v) : "");

export function createStoreContext(options: StoreOptions): StoreContext {
  const owned = !options.redis;
  // auto-pipelining: concurrent callers (a worker with many jobs, a top-up) share round trips
  const redis =
    options.redis ??
    createRedis(options.url ?? "redis://127.0.0.1:6379", { lazyConnect: false, enableAutoPipelining: true });
  // without a listener ioredis prints "Unhandled error event" on every reconnect attempt while
  // Redis is down; commands still reject, and surface as UNAVAILABLE
  if (owned) redis.on("error", () => {});
  const k = keysFor(options.prefix);
  const isNoScript = (e: unknown) => e instanceof Error && e.message.startsWith("NOSCRIPT");

  // pipeline results carry per-command errors instead of rejecting
  const execPipe = async (pipe: ReturnType<Redis["pipeline"]>): Promise<Record<string, string>[]> => {
    const res = (await pipe.exec()) ?? [];
    return res.map(([err, value]) => {
      if (err) throw err;
      return (value ?? {}) as Record<string, string>;
    });
  };

  return {
    redis,
    owned,
    prefix: options.prefix,
    keys: k,
    keyPrefix: `${options.prefix}:`,
    now: options.now ?? Date.now,
    ...(options.waitReplicas && { waitReplicas: options.waitReplicas }),

    async guard(operation, fn) {
      try {
        return await fn();
      } catch (e) {
        if (e instanceof HpoError) throw e;
        throw new HpoError("UNAVAILABLE", `store: ${operation} failed: ${(e as Error).message}`);
      }
    },

    async evalScript(script, keys, args) {
      try {
        return await redis.evalsha(script.sha, keys.length, ...keys, ...args);
      } catch (e) {
        if (!isNoScript(e)) throw e;
        return await redis.eval(script.lua, keys.length, ...keys, ...args);
      }
    },

    async readSweeps(ids) {
      if (ids.length === 0) return [];
      const pipe = redis.pipeline();
      for (const id of ids) pipe.hgetall(k.sweep(id));
      const res = await execPipe(pipe);
      return ids.flatMap((id, i) => {
        const rec = decodeSweep(id, res[i] ?? {});
        return rec ? [rec] : [];
      });
    },

    async readTrials(sweepId, ids) {
      if (ids.length === 0) return [];
      const pipe = redis.pipeline();
      for (const id of ids) pipe.hgetall(k.trial(sweepId, id));
      const res = await execPipe(pipe);
      return ids.flatMap((_, i) => {
        const rec = decodeTrial(res[i] ?? {});
        return rec ? [rec] : [];
      });
    },
  };
}
