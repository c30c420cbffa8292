import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProgram } from "../../apps/cli/src/program.ts";
import { describeNeeding } from "../helpers/needs.ts";
import { cleanEnv, runCli } from "./run-cli.ts";

const run = promisify(execFile);
const has = async (shell: string) =>
  run(shell, ["-c", "exit 0"]).then(
    () => true,
    () => false,
  );
const [hasZsh, hasFish] = await Promise.all([has("zsh"), has("fish")]);

/**
 * `hpo completion bash|zsh|fish`: scripts generated from the command definitions, loaded into the
 * real shells. bash is asked what `hpo …<TAB>` completes to (COMP_WORDS + the completion
 * function, as bash's readline does); fish through `complete -C`; zsh is loaded under compinit
 * (without zsh or fish their suites fail under CI and are skipped, named, elsewhere: test/helpers/needs.ts).
 */
describe("hpo completion", () => {
  let dir: string;
  const scripts: Record<string, string> = {};
  /** The subcommands as program.ts defines them (plus commander's `help`). */
  const program = createProgram({} as never);
  const commands = [...program.commands.map((c) => c.name()), "help"];
  /** The long options of `hpo up` as up.ts defines them, plus --help. */
  const upOptions = [
    ...(program.commands.find((c) => c.name() === "up")?.options.flatMap((o) => (o.long ? [o.long] : [])) ?? []),
    "--help",
  ].sort();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "hpo-completion-"));
    for (const shell of ["bash", "zsh", "fish"]) {
      const r = await runCli(["completion", shell], { cwd: dir, env: cleanEnv() });
      expect(r.code, r.stderr).toBe(0);
      scripts[shell] = join(dir, `hpo.${shell}`);
      writeFileSync(scripts[shell] as string, r.stdout);
    }
    writeFileSync(join(dir, "sweep.yaml"), "name: x\n");
    mkdirSync(join(dir, "sweeps"));
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** What bash completes `hpo <words…>` to (the last word is the one being completed). */
  async function bashComplete(...words: string[]): Promise<string[]> {
    const line = ["hpo", ...words].map((w) => `'${w}'`).join(" ");
    const { stdout } = await run(
      "bash",
      [
        "-c",
        `source ${scripts.bash}; COMP_WORDS=(${line}); COMP_CWORD=${words.length}; _hpo_completion; printf '%s\\n' "\${COMPREPLY[@]}"`,
      ],
      { cwd: dir },
    );
    return stdout.split("\n").filter(Boolean).sort();
  }

  it("bash: commands, options of each command, files for <file>, choices", async () => {
    expect(await bashComplete("st")).toEqual(["status"]);
    expect(await bashComplete("")).toEqual(
      expect.arrayContaining([...commands, "--url", "--token", "--help", "--version"]),
    );
    expect(await bashComplete("--url", "http://x", "l")).toEqual(["logs", "ls"]);
    expect(await bashComplete("watch", "s1", "--j")).toEqual(["--json"]);
    expect(upOptions).toEqual(expect.arrayContaining(["--help", "--host", "--port", "--workers"]));
    expect(await bashComplete("up", "--")).toEqual(upOptions);
    expect(await bashComplete("submit", "sw")).toEqual(["sweep.yaml", "sweeps"]);
    expect(await bashComplete("demo", "--file", "sw")).toEqual(["sweep.yaml", "sweeps"]);
    expect(await bashComplete("status", "s")).toEqual([]); // sweep ids are not files
    expect(await bashComplete("completion", "")).toEqual(["bash", "fish", "zsh"]);
  });

  describeNeeding("fish", hasFish ? undefined : "fish is not on PATH")("fish", () => {
    it("fish: complete -C lists commands and options", async () => {
      const complete = async (line: string) => {
        const { stdout } = await run("fish", ["-c", `source ${scripts.fish}; complete -C '${line}'`], { cwd: dir });
        return stdout
          .split("\n")
          .filter(Boolean)
          .map((l) => l.split("\t")[0])
          .sort();
      };
      expect(await complete("hpo st")).toEqual(["status"]);
      expect(await complete("hpo ")).toEqual(expect.arrayContaining(commands));
      expect(await complete("hpo watch s1 --j")).toEqual(["--json"]);
      expect(await complete("hpo submit sw")).toEqual(["sweep.yaml", "sweeps/"]);
    });
  });

  describeNeeding("zsh", hasZsh ? undefined : "zsh is not on PATH")("zsh", () => {
    it("zsh: the script parses and registers _hpo for hpo under compinit", async () => {
      await run("zsh", ["-n", scripts.zsh as string]);
      const { stdout } = await run(
        "zsh",
        ["-f", "-c", `autoload -U compinit && compinit -u -D && source ${scripts.zsh} && print -r -- $_comps[hpo]`],
        { cwd: dir },
      );
      expect(stdout.trim()).toBe("_hpo");
    });
  });
});
