/**
 * Headless Debian Chromium driven by playwright-core, for the dashboard's browser tests and
 * benchmark. Collects console errors, page errors and dialogs (an `alert` from injected markup
 * would show up there) so that tests can assert there were none.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { REPO_ROOT } from "../helpers/processes.ts";

/** Debian's chromium; override with CHROMIUM_PATH. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const ARTIFACTS = join(REPO_ROOT, "test-artifacts");

export interface BrowserSession {
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Console errors, uncaught page errors and dialogs seen so far. */
  readonly problems: string[];
  /** Saves a full-page PNG as test-artifacts/<name>.png and returns its path. */
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

export async function openBrowser(viewport = { width: 1440, height: 900 }): Promise<BrowserSession> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
  // tsx (esbuild keepNames) wraps named functions in page.evaluate bodies with __name()
  await context.addInitScript({ content: "globalThis.__name = (f) => f;" });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console.error: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("dialog", (d) => {
    if (d.type() !== "confirm") problems.push(`dialog ${d.type()}: ${d.message()}`);
    void d.accept();
  });
  mkdirSync(ARTIFACTS, { recursive: true });
  return {
    browser,
    context,
    page,
    problems,
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
}
