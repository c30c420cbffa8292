import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { REPO_ROOT } from "../helpers/processes.ts";

/** Root of the monorepo. */
const BIN = join(REPO_ROOT, "apps/cli/src/bin.ts");
const TSX = import.meta.resolve("tsx");

/** Result of one CLI run. */
export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Environment for CLI children: the test's env minus anything that would point at a real stack. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ["HPO_URL", "HPO_TOKEN", "HPO_PREFIX", "HPO_PORT", "HPO_HOST", "REDIS_URL", "NO_COLOR"])
    delete env[k];
  return { ...env, ...extra };
}

/** Where to run the CLI from: its source (default; through tsx, like `pnpm hpo:dev`) or a build's bin.js. */
export interface CliOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** A built apps/cli/<folder>/bin.js (see `buildApps`); the children of `hpo up` then run that build too. */
  readonly bin?: string;
}

/** A build of the CLI, coordinator and worker in a folder of its own (apps/<app>/dist-test-<uuid>). */
export interface TestBuild {
  /** apps/cli/<folder>/bin.js */
  readonly bin: string;
  /** apps/<app>/<folder>/main.js: what `hpo up` of this build runs. */
  main(app: "coordinator" | "worker"): string;
  /** Deletes the build's folders. */
  remove(): void;
}

/**
 * Builds the apps with tools/build.mjs into folders of this test's own, beside dist/ (same depth,
 * so the build finds the repository as an installed one does): the test runs the current sources
 * as production runs them, and another test or a `pnpm build` cannot change the files under it.
 */
export async function buildApps(): Promise<TestBuild> {
  const out = `dist-test-${randomUUID()}`;
  const remove = () => {
    for (const app of ["cli", "coordinator", "worker"])
      rmSync(join(REPO_ROOT, "apps", app, out), { recursive: true, force: true });
  };
  try {
    await promisify(execFile)(process.execPath, [join(REPO_ROOT, "tools/build.mjs"), "--out", out], { cwd: REPO_ROOT });
  } catch (e) {
    remove();
    throw e;
  }
  return {
    bin: join(REPO_ROOT, "apps/cli", out, "bin.js"),
    main: (app) => join(REPO_ROOT, "apps", app, out, "main.js"),
    remove,
  };
}

/** Spawns `hpo <args>` (from source through tsx, or the build `opts.bin`) and returns the child. */
export function spawnCli(args: readonly string[], opts: CliOptions): ChildProcess {
  const entry = opts.bin ? [opts.bin] : ["--import", TSX, BIN];
  return spawn(process.execPath, [...entry, ...args], {
    cwd: opts.cwd,
    env: opts.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** A running `hpo up`: its process, everything it printed so far, and its exit. */
export interface UpStack {
  readonly proc: ChildProcess;
  /** stdout and stderr so far, interleaved. */
  readonly out: string;
  readonly exit: Promise<number | null>;
}

/** Starts `hpo up <args>` and resolves once it printed "coordinator ready at"; throws with its output if it exits first. */
export async function startUp(args: readonly string[], opts: CliOptions): Promise<UpStack> {
  const proc = spawnCli(["up", ...args], opts);
  let out = "";
  proc.stdout?.on("data", (c) => (out += c));
  proc.stderr?.on("data", (c) => (out += c));
  const exit = new Promise<number | null>((r) => proc.once("exit", (code) => r(code)));
  const ready = await new Promise<boolean>((resolve) => {
    const timer = setInterval(() => {
      if (out.includes("coordinator ready at")) {
        clearInterval(timer);
        resolve(true);
      }
    }, 100);
    void exit.then(() => {
      clearInterval(timer);
      resolve(false);
    });
  });
  if (!ready) throw new Error(`hpo up did not become ready:\n${out}`);
  return {
    proc,
    get out() {
      return out;
    },
    exit,
  };
}

/** Runs `hpo <args>` to completion (killed after `timeoutMs`, default 120 s). */
export function runCli(args: readonly string[], opts: CliOptions & { timeoutMs?: number }): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawnCli(args, opts);
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (c) => (stdout += c));
    child.stderr?.on("data", (c) => (stderr += c));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 120_000);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

/** A TCP port on 127.0.0.1 on which nothing listens (bound by the OS, then released). */
export { freePort } from "../../apps/cli/src/net-utils.ts";
