import { HpoError } from "@hpo/core";
import { isSweepId } from "@hpo/store";
import type { RequestParamHandler } from "express";

/**
 * `router.param("id", sweepIdParam)`: a `:id` that cannot be a sweep id (see `isSweepId`) answers
 * 404 before any Redis key is built from it, so `x:trials` or `..` never reach a key name.
 */
export const sweepIdParam: RequestParamHandler = (_req, _res, next, id) => {
  next(isSweepId(String(id)) ? undefined : new HpoError("NOT_FOUND", `sweep ${JSON.stringify(String(id))} not found`));
};
