import { HpoError, parseSweepSpec, type SweepSpec } from "@hpo/core";
import type { Request } from "express";

/** Content types read as YAML text (YAML is a superset of JSON). */
export const YAML_TYPES = ["application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "text/plain"];

/**
 * The sweep spec of a `POST /api/sweeps` request: a JSON body (already parsed by express.json)
 * or YAML text. @throws HpoError INVALID_REQUEST (empty body, other content types),
 * INVALID_SPEC (invalid sweep, with details), PAYLOAD_TOO_LARGE.
 */
export function sweepSpecOf(req: Request): SweepSpec {
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
    return parseSweepSpec(body, { format: req.is("application/json") ? "json" : "yaml" });
  } catch (e) {
    if (e instanceof HpoError) throw e;
    throw new HpoError("INVALID_SPEC", `create sweep: the body could not be read: ${(e as Error).message}`);
  }
}
