/**
 * A network namespace with a veth pair to the test's own namespace, on a private /30: the host
 * end holds `hostIp` (…1), the namespace end `nsIp` (…2). Only loopback and this pair exist in
 * the namespace, so a process there reaches nothing but services bound to `hostIp`. `cut()` takes
 * the namespace end down (the host address stays up for everyone else); `restore()` brings it
 * back. Needs root and `ip netns`; `netnsUnavailable()` says why not.
 */
import { execFileSync } from "node:child_process";
import { randomInt } from "node:crypto";
import { type Proc, spawnProc } from "../helpers/processes.ts";

const ip = (...args: string[]) => execFileSync("ip", args, { stdio: ["ignore", "pipe", "pipe"] }).toString();

/** Why a namespace cannot be made here, or undefined when it can (probes by making one). */
export function netnsUnavailable(): string | undefined {
  const probe = `hpo-probe-${process.pid}`;
  try {
    ip("netns", "add", probe);
    ip("netns", "del", probe);
    return undefined;
  } catch (e) {
    return `ip netns does not work here (${(e as Error).message.split("\n")[0]}); needs root and iproute2`;
  }
}

export interface Netns {
  readonly name: string;
  readonly hostIp: string;
  readonly nsIp: string;
  cut(): void;
  restore(): void;
  /** Runs `node --import tsx <entry>` inside the namespace (same contract as spawnTs). */
  spawnTs(entry: string, env: Record<string, string>): Proc;
  /** Deletes the namespace and the veth pair. */
  close(): void;
}

export function createNetns(): Netns {
  const tag = `${process.pid % 1000}${randomInt(100, 999)}`;
  const name = `hpo7-${tag}`;
  const hostIf = `h7-${tag}`;
  const nsIf = `n7-${tag}`;
  const base = randomInt(0, 64) * 4; // 10.77.X.base/30
  const net = `10.77.${randomInt(0, 256)}`;
  const hostIp = `${net}.${base + 1}`;
  const nsIp = `${net}.${base + 2}`;
  const nsIpCmd = (...args: string[]) => ip("netns", "exec", name, "ip", ...args);
  ip("netns", "add", name);
  try {
    ip("link", "add", hostIf, "type", "veth", "peer", "name", nsIf);
    ip("link", "set", nsIf, "netns", name);
    ip("addr", "add", `${hostIp}/30`, "dev", hostIf);
    ip("link", "set", hostIf, "up");
    nsIpCmd("addr", "add", `${nsIp}/30`, "dev", nsIf);
    nsIpCmd("link", "set", nsIf, "up");
    nsIpCmd("link", "set", "lo", "up");
  } catch (e) {
    try {
      ip("netns", "del", name);
      ip("link", "del", hostIf);
    } catch {}
    throw e;
  }
  return {
    name,
    hostIp,
    nsIp,
    cut: () => void nsIpCmd("link", "set", nsIf, "down"),
    restore: () => void nsIpCmd("link", "set", nsIf, "up"),
    spawnTs: (entry, env) =>
      spawnProc(
        "ip",
        ["netns", "exec", name, process.execPath, "--import", "tsx", entry],
        env,
        `${entry} (netns ${name})`,
      ),
    close() {
      try {
        ip("netns", "del", name);
      } catch {}
      try {
        ip("link", "del", hostIf);
      } catch {}
    },
  };
}
