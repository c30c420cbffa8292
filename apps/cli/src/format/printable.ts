/** Control (C0, DEL, C1) and format (bidi overrides, zero-width) characters. */
const UNPRINTABLE = /[\p{Cc}\p{Cf}]/gu;

/**
 * `text` with every control and format character written as an escape (`\x1b`, `\n`-as-`\x0a`,
 * `\u{202e}`), so that data from the coordinator or a child process cannot retitle or clear the
 * terminal, move the cursor, forge a line, or reverse text. Everything else is kept.
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (ch) => {
    const code = ch.codePointAt(0) as number;
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u{${code.toString(16)}}`;
  });
}
