import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";

/** Options of `ManagedProcess`. */
export interface ManagedProcessOptions {
  /** Short name used to prefix log lines, e.g. "coordinator", "worker-1", "redis". */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Receives every stdout/stderr line of the child. */
  readonly onLine: (name: string, line: string) => void;
}

/** How a child ended. */
export interface ProcessExit {
  readonly name: string;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

const live = new Set<ManagedProcess>();
let exitHookInstalled = false;

/**
 * One supervised child process in its own process group (so a terminal's Ctrl-C reaches only the
 * CLI, which then stops children in order). Its output is split into lines for `onLine`; the last
 * lines are kept for error reports. If the CLI process exits with children still alive, their
 * process groups are killed, so no orphan keeps a port or a job.
 */
export class ManagedProcess {
  readonly name: string;
  /** Resolves once when the child has exited (never rejects; spawn errors resolve with code null). */
  readonly exited: Promise<ProcessExit>;
  private readonly child: ChildProcess;
  private readonly tail: string[] = [];
  private done = false;

  constructor(options: ManagedProcessOptions) {
    this.name = options.name;
    this.child = spawn(options.command, [...options.args], {
      cwd: options.cwd,
      env: options.env as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const remember = (line: string) => {
      this.tail.push(line);
      if (this.tail.length > 50) this.tail.shift();
      options.onLine(this.name, line);
    };
    for (const stream of [this.child.stdout, this.child.stderr]) {
      if (stream) createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on("line", remember);
    }
    this.exited = new Promise((resolve) => {
      this.child.once("error", (e) => {
        remember(`failed to start ${options.command}: ${e.message}`);
        this.done = true;
        live.delete(this);
        resolve({ name: this.name, code: null, signal: null });
      });
      this.child.once("exit", (code, signal) => {
        this.done = true;
        live.delete(this);
        resolve({ name: this.name, code, signal });
      });
    });
    live.add(this);
    installExitHook();
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return !this.done;
  }

  /** The last `n` output lines (at most 50 are kept). */
  recentLines(n = 20): string[] {
    return this.tail.slice(-n);
  }

  /**
   * Graceful stop: SIGTERM to the child itself (it closes its connections and finishes or
   * releases its job), then SIGKILL to its whole process group after `graceMs` (default 15 000).
   * Resolves when it has exited.
   */
  async stop(graceMs = 15_000): Promise<ProcessExit> {
    if (this.done) return this.exited;
    this.signal("SIGTERM", false);
    const timer = setTimeout(() => this.kill(), graceMs);
    const exit = await this.exited;
    clearTimeout(timer);
    // Whatever the child forked (sandboxed processors) goes with it.
    this.signal("SIGKILL", true);
    return exit;
  }

  /** SIGKILL to the whole process group, at once. */
  kill(): void {
    this.signal("SIGKILL", true);
  }

  private signal(sig: NodeJS.Signals, group: boolean): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      process.kill(group ? -pid : pid, sig);
    } catch {
      // already gone
    }
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const p of live) p.kill();
  });
}
