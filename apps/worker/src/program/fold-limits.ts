import { readdirSync, readFileSync } from "node:fs";

/**
 * Per-fold resource limits of program trials, set by the worker's operator (HPO_FOLD_MEMORY_MB,
 * HPO_FOLD_CPU_SECONDS) and applied to a fold's whole process group: the program and every process
 * it started. The group is measured from /proc (Linux) every `FOLD_LIMIT_POLL_MS`; a group over a
 * limit is ended like a pruned fold, and the trial fails with the limit named (not retried: the
 * same config would hit it again).
 */
export interface FoldLimits {
  /** Resident memory of the group, summed over its processes (MB). */
  readonly memoryMb?: number;
  /** CPU time of the group (user + system, its reaped children included), in seconds. */
  readonly cpuSeconds?: number;
}

/** How often a fold's group is measured. */
export const FOLD_LIMIT_POLL_MS = 250;

/** Linux's USER_HZ: the clock ticks of /proc/<pid>/stat times (100 on every Linux ABI hpo runs on). */
const TICKS_PER_SECOND = 100;

/** Resident memory of process `pid` in kB (VmRSS of /proc/<pid>/status: no page size to assume); 0 when gone. */
function rssKb(pid: string): number {
  try {
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** What the processes of group `pgid` use now. */
export interface GroupUsage {
  readonly rssMb: number;
  readonly cpuSeconds: number;
}

/** Sums RSS and CPU time over the live processes of group `pgid` (proc(5): /proc/<pid>/stat and status). */
export function groupUsage(pgid: number): GroupUsage {
  let kb = 0;
  let ticks = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // exited meanwhile
    }
    // after the command name in parentheses: state ppid pgrp ... (field 3 is index 0 here)
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(f[2]) !== pgid) continue;
    ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]); // utime stime cutime cstime
    kb += rssKb(entry);
  }
  return { rssMb: kb / 1024, cpuSeconds: ticks / TICKS_PER_SECOND };
}

/** The reason a group over `limits` must end (naming the run, `what`: "fold 2"), or undefined while it is within them. */
export function overLimit(what: string, usage: GroupUsage, limits: FoldLimits): string | undefined {
  if (limits.memoryMb !== undefined && usage.rssMb > limits.memoryMb) {
    return `${what} used ${Math.round(usage.rssMb)} MB of memory, over the worker's HPO_FOLD_MEMORY_MB (${limits.memoryMb}), and was killed`;
  }
  if (limits.cpuSeconds !== undefined && usage.cpuSeconds > limits.cpuSeconds) {
    return `${what} used ${usage.cpuSeconds.toFixed(1)} s of CPU time, over the worker's HPO_FOLD_CPU_SECONDS (${limits.cpuSeconds}), and was killed`;
  }
  return undefined;
}
