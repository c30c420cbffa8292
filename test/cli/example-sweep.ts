import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createStore, deleteKeysUnder, type Store } from "@hpo/store";
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect } from "vitest";
import { parse, stringify } from "yaml";
import { REPO_ROOT } from "../helpers/processes.ts";
import { cleanEnv, freePort, runCli, startUp, type UpStack } from "./run-cli.ts";

/**
 * The examples/ sweep files run as a user runs them: `hpo up` in a folder of the test's own (on a
 * Redis prefix of its own), then `hpo submit <file> --watch` with the sizes made small.
 */

/** A running `hpo up` for example sweeps: its folder, the CLI's environment and the stack. */
export interface ExampleStack {
  /** The folder `hpo up` runs in; example files are written here. */
  readonly dir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly stack: UpStack;
  /** A store on the stack's Redis prefix, to read trials back. */
  readonly store: Store;
}

/**
 * Registers beforeAll/afterAll hooks that start `hpo up <upArgs>` (plus `--port`) in a temporary
 * folder with `env` added, and stop it, delete its keys and the folder afterwards. The returned
 * function gives the stack inside tests.
 */
export function upForExamples(
  label: string,
  upArgs: readonly string[],
  env: Record<string, string> = {},
): () => ExampleStack {
  const prefix = `test-${label}-${randomUUID()}`;
  let current: ExampleStack | undefined;
  let redis: Redis | undefined;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), `hpo-${label}-`));
    const port = await freePort();
    const cliEnv = cleanEnv({
      REDIS_URL: "redis://127.0.0.1:6379",
      HPO_PREFIX: prefix,
      HPO_URL: `http://127.0.0.1:${port}`,
      ...env,
    });
    const stack = await startUp([...upArgs, "--port", String(port)], { cwd: dir, env: cliEnv });
    redis = new Redis("redis://127.0.0.1:6379");
    current = { dir, env: cliEnv, stack, store: createStore({ redis, prefix }) };
  }, 180_000);
  afterAll(async () => {
    if (current?.stack.proc.exitCode === null) {
      current.stack.proc.kill("SIGTERM");
      await current.stack.exit;
    }
    await current?.store.close();
    if (redis) {
      await deleteKeysUnder(redis, prefix);
      await redis.quit();
    }
    if (current) rmSync(current.dir, { recursive: true, force: true });
  });
  return () => {
    if (!current) throw new Error(`hpo up for ${label} did not start`);
    return current;
  };
}

/** A parsed sweep file, loose enough for tests to shrink its sizes. */
export interface ExampleSpec {
  name: string;
  dataset: Record<string, unknown>;
  model: Record<string, unknown>;
  cv: Record<string, unknown>;
  budget: Record<string, unknown>;
  parameters: Record<string, unknown>;
  [key: string]: unknown;
}

/** What `runExample` saw: the sweep, the CLI's output and the trials as the store holds them. */
export interface ExampleRun {
  readonly sweepId: string;
  readonly stdout: string;
  readonly trials: Awaited<ReturnType<Store["listTrials"]>>["items"];
}

/**
 * Writes `examples/<file>` with `shrink` applied (it edits the parsed spec in place) into the
 * stack's folder and runs `hpo submit <file> --watch` on it; expects exit 0 and the sweep completed.
 */
export async function runExample(
  s: ExampleStack,
  file: string,
  shrink: (spec: ExampleSpec) => void,
  timeoutMs = 900_000,
): Promise<ExampleRun> {
  const spec = parse(readFileSync(join(REPO_ROOT, "examples", file), "utf8")) as ExampleSpec;
  shrink(spec);
  writeFileSync(join(s.dir, file), stringify(spec));
  const r = await runCli(["submit", file, "--watch", "--interval", "500"], { cwd: s.dir, env: s.env, timeoutMs });
  expect(r.code, `${r.stderr}\n${s.stack.out}`).toBe(0);
  const { name } = spec;
  expect(r.stdout).toContain(`"${name}": completed`);
  const sweepId = new RegExp(`sweep (\\S+) "${name}"`).exec(r.stdout)?.[1] as string;
  const trials = (await s.store.listTrials(sweepId, { limit: 1000 })).items;
  return { sweepId, stdout: r.stdout, trials };
}
