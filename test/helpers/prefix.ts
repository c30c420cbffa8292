import { randomUUID } from "node:crypto";

/** A key prefix no other test (or engineer) uses: `test-<uuid>`. */
export function uniquePrefix(label = "test"): string {
  return `${label}-${randomUUID()}`;
}

/** Deletes every key under `${prefix}:` (SCAN + UNLINK, safe on a shared Redis); returns how many. */
export { deleteKeysUnder as deletePrefix } from "@hpo/store";
