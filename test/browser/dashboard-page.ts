/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/** Page helpers for the dashboard's browser tests: read what the user sees. */
import type { Page } from "playwright-core";

/** Texts of one leaderboard column (by its sort key) in the visible rows, top to bottom. */
export function leaderboardColumn(page: Page, sortKey: string): Promise<string[]> {
  return page.evaluate((key) => {
    const heads = [...document.querySelectorAll<HTMLElement>(".lb-head .cell")];
    const col = heads.findIndex((h) => h.dataset.sort === key);
    if (col < 0) throw new Error(`no leaderboard column ${key}`);
    const scroller = document.querySelector<HTMLElement>(".lb-scroll") as HTMLElement;
    const bottom = scroller.getBoundingClientRect().bottom;
    return [...document.querySelectorAll<HTMLElement>(".lb-row")]
      .filter((r) => r.style.display !== "none" && r.dataset.trial && r.getBoundingClientRect().top < bottom)
      .sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top)
      .map((r) => (r.children[col] as HTMLElement).textContent ?? "");
  }, sortKey);
}

/** Text of the leaderboard's count line ("12 trials", "3 of 12 trials"). */
export async function leaderboardCount(page: Page): Promise<string> {
  return (await page.textContent("[data-testid=lb-count]")) ?? "";
}

/** Leading number of a "mean ± std" cell. */
export const leadingNumber = (s: string): number => Number.parseFloat(s);
