import { existsSync, readFileSync } from "node:fs";

/** Whether process `pid` runs: it exists and is not a zombie waiting for its parent (Linux /proc). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, "utf8") : "";
  return !/^\d+ \(.*\) Z/.test(stat);
}
