import { escapeHtml } from "../dom.ts";

/** Builds tooltip HTML from label/value pairs; every piece is escaped (names come from users). */
export function tooltipHtml(title: string, rows: readonly (readonly [string, string])[]): string {
  const body = rows
    .map(([k, v]) => `<div><span style="color:#6b7280">${escapeHtml(k)}</span> ${escapeHtml(v)}</div>`)
    .join("");
  return `<div style="font-weight:600;margin-bottom:2px">${escapeHtml(title)}</div>${body}`;
}

/** Tooltip defaults: HTML confined to the chart and never wider than it. */
export const TOOLTIP_BASE = {
  confine: true,
  extraCssText: "max-width:360px;white-space:normal;word-break:break-all;",
} as const;
