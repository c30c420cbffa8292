import { randomBytes } from "node:crypto";

const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/**
 * A new sweep id: the slug of `name` (lower-case a-z, 0-9, single dashes, at most 40 chars;
 * "sweep" when nothing is left) + "-" + 6 random base-36 chars, e.g. "digits-adam-k3f9qz".
 * Ids contain only [a-z0-9-], never ':' and are never all digits (a dash is always present),
 * so they are valid BullMQ job-id parts.
 */
export function newSweepId(name: string): string {
  const slug =
    name
      .normalize("NFKD")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 40)
      .replace(/-+$/, "") || "sweep";
  const bytes = randomBytes(6);
  let suffix = "";
  for (const b of bytes) suffix += ALPHABET[b % ALPHABET.length];
  return `${slug}-${suffix}`;
}

/** True for strings shaped like ids made by `newSweepId` (used to reject junk before Redis). */
export function isSweepId(id: string): boolean {
  return /^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(id) && id.length <= 64 && id.includes("-");
}
