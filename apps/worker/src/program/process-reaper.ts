import { type ChildProcess, spawn } from "node:child_process";
import type { Socket } from "node:net";

/**
 * The reaper's code (run with `node -e`): it keeps the set of live fold process groups it is told
 * of on stdin (`+pgid` / `-pgid` lines) and, when stdin ends — its worker exited or was
 * SIGKILLed — sends each remaining group SIGTERM, then SIGKILL after the grace period, and exits.
 */
const REAPER_SOURCE = `
const groups = new Set();
const grace = Number(process.argv[1]) || 2000;
let buf = "";
const kill = (sig) => { for (const g of groups) { try { process.kill(-g, sig); } catch {} } };
process.stdin.setEncoding("utf8");
process.stdin.on("data", (d) => {
  buf += d;
  let i;
  while ((i = buf.indexOf("\\n")) >= 0) {
    const line = buf.slice(0, i);
    buf = buf.slice(i + 1);
    const n = Number(line.slice(1));
    if (line[0] === "+") groups.add(n); else groups.delete(n);
  }
});
process.stdin.on("end", () => {
  if (groups.size === 0) process.exit(0);
  kill("SIGTERM");
  setTimeout(() => { kill("SIGKILL"); process.exit(0); }, grace);
});
`;

/**
 * A small process that outlives its worker to end the worker's fold processes. Fold processes
 * lead process groups of their own (so a prune can end the program's children too), which also
 * means they survive a worker that is SIGKILLed; the reaper, told of every group, ends them then.
 * It runs detached (its own group) so a signal to the worker's group does not take it down first.
 * One per worker; `close()` ends it (it has nothing to do when no group is left).
 */
export interface ProcessReaper {
  add(pgid: number): void;
  remove(pgid: number): void;
  close(): void;
}

export function startProcessReaper(graceMs: number): ProcessReaper {
  const child: ChildProcess = spawn(process.execPath, ["-e", REAPER_SOURCE, String(graceMs)], {
    detached: true,
    stdio: ["pipe", "ignore", "ignore"],
  });
  child.unref();
  const stdin = child.stdin;
  stdin?.on("error", () => {}); // the reaper gone: nothing more to tell it
  (stdin as Socket | null)?.unref(); // the worker may exit while the reaper runs
  const send = (line: string) => {
    if (stdin && !stdin.destroyed) stdin.write(`${line}\n`);
  };
  return {
    add: (pgid) => send(`+${pgid}`),
    remove: (pgid) => send(`-${pgid}`),
    close: () => stdin?.end(),
  };
}
