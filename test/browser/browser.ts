/**
 * Headless Debian Chromium driven by playwright-core, for the dashboard's browser tests and
 * benchmark. Collects console errors, page errors and dialogs (an `alert` from injected markup
 * would show up there) so that tests can assert there were none.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { REPO_ROOT } from "../helpers/processes.ts";

/**
 * The Chromium to drive, found by .ci/find-chromium, the lookup .ci/run uses too (CHROMIUM_PATH,
 * else chromium or chromium-browser on PATH): its path, or why there is none.
 */
export function findChromium(): { readonly path: string } | { readonly missing: string } {
  try {
    const out = execFileSync(join(REPO_ROOT, ".ci/find-chromium"), { stdio: ["ignore", "pipe", "pipe"] });
    return { path: out.toString().trim() };
  } catch (e) {
    const stderr = (e as { stderr?: Buffer }).stderr?.toString().trim();
    return { missing: stderr || (e as Error).message };
  }
}

/** Why no Chromium can be driven here, or undefined when one can (see `findChromium`). */
export function chromiumMissing(): string | undefined {
  const found = findChromium();
  return "missing" in found ? found.missing : undefined;
}

export const ARTIFACTS = join(REPO_ROOT, "test-artifacts");

/** The newest modification time (ms) of the files under `dir`. */
function newestUnder(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((newest, e) => {
    const path = join(dir, e.name);
    return Math.max(newest, e.isDirectory() ? newestUnder(path) : statSync(path).mtimeMs);
  }, 0);
}

/**
 * Builds the dashboard (`vite build`, what the coordinator serves from apps/dashboard/dist)
 * unless dist/index.html is newer than every file under apps/dashboard/src: a test of a change to
 * the dashboard must not drive an older build.
 */
export function ensureDashboardBuilt(): void {
  const dashboard = join(REPO_ROOT, "apps/dashboard");
  const index = join(dashboard, "dist/index.html");
  if (existsSync(index) && statSync(index).mtimeMs > newestUnder(join(dashboard, "src"))) return;
  execFileSync("pnpm", ["--filter", "@hpo/dashboard", "build"], { cwd: REPO_ROOT, stdio: "ignore" });
}

export interface BrowserSession {
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Console errors (with the URL they are about, in parentheses), uncaught page errors and dialogs seen so far. */
  readonly problems: string[];
  /**
   * The messages of the dashboard's own token prompts so far (`askForToken`: the coordinator
   * refused an action for the lack of a token allowed to submit). They are answered with
   * `tokenAnswer` (default: nothing, as a user who cancels) and are not problems.
   */
  readonly tokenPrompts: string[];
  tokenAnswer: string;
  /** Saves a full-page PNG as test-artifacts/<name>.png and returns its path. */
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

/** A request Chromium logged as failed: its HTTP status or network error, and its URL. */
export interface FailedLoad {
  readonly status?: number;
  readonly error?: string;
  readonly url: string;
}

/** The failed request a `problems` line reports, or undefined when the line is something else. */
export function failedLoad(problem: string): FailedLoad | undefined {
  const m =
    /^console\.error: Failed to load resource: (?:the server responded with a status of (\d+)|net::(ERR_\w+))[^(]*(?:\([^)]*\))? \((\S+)\)$/.exec(
      problem,
    );
  if (!m) return undefined;
  return { ...(m[1] && { status: Number(m[1]) }), ...(m[2] && { error: m[2] }), url: m[3] as string };
}

/** Launches headless Chromium (see `findChromium`); throws naming what is missing when there is none. */
export async function openBrowser(viewport = { width: 1440, height: 900 }): Promise<BrowserSession> {
  const found = findChromium();
  if (!("path" in found)) throw new Error(`no Chromium to drive: ${found.missing}`);
  const browser = await chromium.launch({
    executablePath: found.path,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
  // tsx (esbuild keepNames) wraps named functions in page.evaluate bodies with __name()
  await context.addInitScript({ content: "globalThis.__name = (f) => f;" });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error")
      problems.push(`console.error: ${m.text()}${m.location().url ? ` (${m.location().url})` : ""}`);
  });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  const tokenPrompts: string[] = [];
  page.on("dialog", (d) => {
    if (d.type() === "prompt" && d.message().includes("API token allowed to submit")) {
      tokenPrompts.push(d.message());
      if (session.tokenAnswer) void d.accept(session.tokenAnswer);
      else void d.dismiss();
      return;
    }
    if (d.type() !== "confirm") problems.push(`dialog ${d.type()}: ${d.message()}`);
    void d.accept();
  });
  mkdirSync(ARTIFACTS, { recursive: true });
  const session: BrowserSession = {
    browser,
    context,
    page,
    problems,
    tokenPrompts,
    tokenAnswer: "",
    async screenshot(name) {
      const path = join(ARTIFACTS, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    async close() {
      await context.close().catch(() => undefined);
      await browser.close();
    },
  };
  return session;
}
