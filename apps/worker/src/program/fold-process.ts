import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { parseReportLine, type ReportLine } from "./report-line.ts";

/** Lines of stderr kept for the error of a failed fold. */
const STDERR_TAIL = 20;

export interface FoldProcessOptions {
  /** argv[0] is the executable (looked up in env.PATH); never run through a shell. */
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly onReport: (report: ReportLine) => void;
  /** A line that is not a report (stdout or stderr), or a malformed report line (`invalid` set). */
  readonly onOutput: (stream: "stdout" | "stderr", line: string, invalid?: string) => void;
  /** SIGTERM → SIGKILL delay of `kill` (ms). */
  readonly killGraceMs: number;
  /** Told of the process group while it may be alive (see process-reaper.ts). */
  readonly groups?: { add(pgid: number): void; remove(pgid: number): void };
}

export interface FoldExit {
  /** Exit code, or null when a signal ended it. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Why `kill` was called, when it was. */
  readonly killed?: string;
  /** The process could not start (e.g. the interpreter is missing): the error's message. */
  readonly spawnError?: string;
  /** The last lines of stderr. */
  readonly stderrTail: readonly string[];
}

export interface FoldProcess {
  /** The process group (= the program's pid); undefined when it could not start. */
  readonly pgid: number | undefined;
  /** Ends the process group: SIGTERM now, SIGKILL after the grace period. Idempotent. */
  kill(reason: string): void;
  /** Resolves once the process exited and its output was read (its whole group is then gone). */
  readonly done: Promise<FoldExit>;
}

/** Sends `signal` to process group `pgid`; a group that is gone already is fine. */
function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ESRCH") throw e;
  }
}

/**
 * Starts one fold's process as the leader of its own process group (`detached`), stdin closed,
 * stdout and stderr read line by line: report lines go to `onReport`, the rest to `onOutput`.
 * When the leader exits, whatever it left in its group (its own children) is SIGKILLed, so no
 * process of the fold outlives it.
 */
export function startFoldProcess(o: FoldProcessOptions): FoldProcess {
  const [file, ...args] = o.argv;
  const child = spawn(file as string, args, {
    cwd: o.cwd,
    env: o.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    shell: false,
  });
  const pgid = child.pid;
  if (pgid !== undefined) o.groups?.add(pgid);
  const tail: string[] = [];
  let killed: string | undefined;
  let killTimer: NodeJS.Timeout | undefined;

  createInterface({ input: child.stdout, crlfDelay: Number.POSITIVE_INFINITY }).on("line", (line) => {
    const parsed = parseReportLine(line);
    if (parsed.kind === "report") o.onReport(parsed.report);
    else o.onOutput("stdout", line, parsed.kind === "invalid" ? parsed.reason : undefined);
  });
  createInterface({ input: child.stderr, crlfDelay: Number.POSITIVE_INFINITY }).on("line", (line) => {
    tail.push(line);
    if (tail.length > STDERR_TAIL) tail.shift();
    o.onOutput("stderr", line);
  });

  const done = new Promise<FoldExit>((resolve) => {
    let spawnError: string | undefined;
    child.on("error", (err) => {
      spawnError = err.message;
    });
    child.on("exit", () => {
      if (pgid !== undefined) signalGroup(pgid, "SIGKILL"); // the program's own leftovers
    });
    child.on("close", (code, signal) => {
      if (killTimer) clearTimeout(killTimer);
      if (pgid !== undefined) o.groups?.remove(pgid);
      resolve({
        code,
        signal,
        stderrTail: tail,
        ...(killed !== undefined && { killed }),
        ...(spawnError !== undefined && { spawnError }),
      });
    });
  });

  return {
    pgid,
    done,
    kill(reason) {
      if (killed !== undefined || pgid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      killed = reason;
      signalGroup(pgid, "SIGTERM");
      killTimer = setTimeout(() => signalGroup(pgid, "SIGKILL"), o.killGraceMs);
      killTimer.unref();
    },
  };
}
