import { type CheckedSweepSpec, checkSweepSpec, HpoError } from "@hpo/core";
import type { Request } from "express";
import { isSameOrigin } from "./auth.ts";

/**
 * Content types read as YAML text (YAML is a superset of JSON). `text/plain` is parsed too, but
 * `sweepSpecOf` accepts it only from the dashboard's own origin: it is the one type a page on
 * another site can POST without a preflight.
 */
export const YAML_TYPES = ["application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "text/plain"];

/**
 * The sweep spec of a `POST /api/sweeps` request, with its warnings (keys hpo ignores): a JSON
 * body (already parsed by express.json) or YAML text. @throws HpoError INVALID_REQUEST (empty body, other content types),
 * INVALID_SPEC (invalid sweep, with details), PAYLOAD_TOO_LARGE; INVALID_REQUEST for `text/plain`
 * from anywhere but the dashboard's own origin (see `isSameOrigin`).
 */
export function sweepSpecOf(req: Request): CheckedSweepSpec {
  if (req.is("text/plain") && !isSameOrigin(req)) {
    throw new HpoError(
      "INVALID_REQUEST",
      "create sweep: content type text/plain is accepted only from the dashboard's own origin; send application/yaml or application/json",
    );
  }
  const body: unknown = req.body;
  const empty =
    body === undefined || req.get("content-length") === "0" || (typeof body === "string" && body.trim() === "");
  if (empty) {
    const type = req.get("content-type");
    if (type && !req.is(["application/json", ...YAML_TYPES])) {
      throw new HpoError(
        "INVALID_REQUEST",
        `create sweep: unsupported content type "${type}"; send application/json or application/yaml`,
      );
    }
    throw new HpoError("INVALID_REQUEST", "create sweep: the request body is empty; send a sweep as JSON or YAML");
  }
  try {
    return checkSweepSpec(body, { format: req.is("application/json") ? "json" : "yaml" });
  } catch (e) {
    if (e instanceof HpoError) throw e;
    throw new HpoError("INVALID_SPEC", `create sweep: the body could not be read: ${(e as Error).message}`);
  }
}
