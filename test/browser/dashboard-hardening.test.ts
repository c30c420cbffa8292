/**
 * Issue 22, dashboard side: with HPO_AUTH_READS=1 the dashboard works once the token is entered
 * (its API client sends the token on reads; the event stream shows a short-lived ticket instead
 * of the token), a malformed %-escape in the URL hash shows an answer instead of a blank page, and
 * sweep names are isolated (<bdi>) from the text around them. Real coordinator process, built
 * dashboard, headless Chromium.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { deleteKeysUnder } from "@hpo/store";
import { uniquePrefix } from "@hpo/store/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { apiClient } from "../helpers/api.ts";
import { describeNeeding } from "../helpers/needs.ts";
import { type Proc, REDIS_URL, REPO_ROOT, startCoordinatorProcess } from "../helpers/processes.ts";
import { type BrowserSession, chromiumMissing, failedLoad, openBrowser } from "./browser.ts";

const TOKEN = "reads-t0ken-77aa";
const NAME = "מבחן sweep 42"; // right-to-left text: shown isolated from the numbers around it

describeNeeding("Chromium", chromiumMissing())("dashboard hardening (issue 22)", () => {
  const prefix = uniquePrefix("browser-hardening");
  const redis = new Redis(REDIS_URL);
  let coordinator: Proc | undefined;
  let url = "";
  let s: BrowserSession;
  let sweepId = "";

  beforeAll(async () => {
    // the dist must hold this checkout's dashboard (API client, event stream, router)
    const dashboardDir = join(REPO_ROOT, "apps/dashboard");
    execFileSync(process.execPath, [join(dashboardDir, "node_modules/vite/bin/vite.js"), "build"], {
      cwd: dashboardDir,
      stdio: "ignore",
    });
    const c = await startCoordinatorProcess({ prefix, env: { HPO_TOKEN: TOKEN, HPO_AUTH_READS: "1" } });
    coordinator = c.proc;
    url = c.url;
    sweepId = (
      await apiClient(url, TOKEN).submit(
        `name: ${NAME}\nmethod: random\ndataset: iris\nbudget: { max_trials: 2, max_parallel: 1, max_epochs: 1 }\n`,
      )
    ).id;
    s = await openBrowser();
  }, 240_000);

  afterAll(async () => {
    await s?.close();
    await coordinator?.stop();
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
  });

  it("the event stream needs a valid ticket; the token is never in its URL", async () => {
    expect((await fetch(`${url}/api/events`)).status).toBe(401);
    expect((await fetch(`${url}/api/events?ticket=${Date.now() + 30_000}.${"A".repeat(43)}`)).status).toBe(401);
    expect((await fetch(`${url}/api/events/ticket`)).status).toBe(401);
    const { ticket } = (await (
      await fetch(`${url}/api/events/ticket`, { headers: { authorization: `Bearer ${TOKEN}` } })
    ).json()) as { ticket: string };
    expect(ticket).not.toContain(TOKEN);
    const ctrl = new AbortController();
    const stream = await fetch(`${url}/api/events?ticket=${encodeURIComponent(ticket)}`, { signal: ctrl.signal });
    expect(stream.status).toBe(200);
    expect(stream.headers.get("content-type")).toContain("text/event-stream");
    ctrl.abort();
  });

  it("loads sweeps, a sweep and live updates once the token is entered", async () => {
    const { page } = s;
    await page.goto(`${url}/#/`);
    const token = page.locator("input.token");
    await token.fill(TOKEN);
    await token.press("Enter");
    await token.blur();
    const row = page.locator(`tr[data-sweep="${sweepId}"]`);
    await row.waitFor({ timeout: 30_000 });
    expect(await row.locator("td.name a bdi").textContent()).toBe(NAME);
    // the event stream connected with a ticket
    await page.locator('[data-testid="live-status"]', { hasText: "● live" }).waitFor({ timeout: 30_000 });
    await page.goto(`${url}/#/sweeps/${sweepId}`);
    expect(await page.locator('[data-testid="sweep-name"] bdi').textContent({ timeout: 30_000 })).toBe(NAME);
    // the only failures: the reads sent before the token was entered
    const failures = s.problems.filter((p) => !(failedLoad(p)?.status === 401));
    expect(failures).toEqual([]);
  });

  it("a malformed %-escape in the hash shows an answer, not a blank page", async () => {
    const { page } = s;
    const before = s.problems.length;
    await page.goto(`${url}/#/sweeps/%E0%A4%A`);
    await page
      .locator("main.outlet")
      .getByText(/not found/i)
      .first()
      .waitFor({ timeout: 30_000 });
    expect((await page.locator("header.topbar").count()) > 0).toBe(true);
    const errors = s.problems.slice(before).filter((p) => !(failedLoad(p)?.status === 404));
    expect(errors).toEqual([]);
  });
});
