/** What the benchmarks measure of the processes they run and of Redis: CPU, memory, commands; and percentiles. */
import { readFileSync } from "node:fs";
import type { RedisClient } from "./stack.ts";

/** User+system CPU seconds a process used so far (Linux /proc); 0 when unknown. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return 0;
  }
}

/** Resident set size of a process in MiB (Linux /proc); 0 when unknown. */
export function rssMiB(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1];
    return kb ? Number(kb) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Redis server CPU seconds (INFO cpu): shared Redis, so other users' load is included. */
export async function redisCpu(redis: RedisClient): Promise<number> {
  const info = await redis.info("cpu");
  const get = (k: string) => Number(new RegExp(`${k}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return get("used_cpu_user") + get("used_cpu_sys");
}

/** Total commands Redis processed (INFO stats); includes other users of the shared Redis. */
export async function redisCommands(redis: RedisClient): Promise<number> {
  const info = await redis.info("stats");
  return Number(/total_commands_processed:(\d+)/.exec(info)?.[1] ?? 0);
}

/**
 * Calls per command so far (INFO commandstats; scripts' inner calls are counted under their own
 * names, e.g. hset, besides evalsha): shared Redis, other users included.
 */
export async function redisCommandStats(redis: RedisClient): Promise<Record<string, number>> {
  const info = await redis.info("commandstats");
  const out: Record<string, number> = {};
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) out[m[1] as string] = Number(m[2]);
  return out;
}

/** p-th percentile (0..100) of sorted numbers. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}
