/** The dashboard's plain data table: a header row of column names, then the given body. */
import { el } from "../dom.ts";

/** A `table.grid-table` with `data-testid` = `testId`, a header row of `headers`, and `body`. */
export function gridTable(testId: string, headers: readonly string[], body: HTMLTableSectionElement): HTMLTableElement {
  return el(
    "table",
    { class: "grid-table", attrs: { "data-testid": testId } },
    el("thead", null, el("tr", null, ...headers.map((h) => el("th", null, h)))),
    body,
  );
}
