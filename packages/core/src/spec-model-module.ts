import type { Issue } from "./errors.ts";
import { show } from "./spec-issues.ts";

/**
 * Rules of a model-module sweep (`model: { module: models/lenet.ts }`): what changes against the
 * built-in MLP. The module's contract (`train(ctx)`) is in docs/model-modules.md; the worker
 * resolves the path inside HPO_MODEL_DIRS (apps/worker, @hpo/trainer/allowed-path).
 */

/**
 * Names of a module sweep's own parameters (those that are not KNOWN_PARAMETERS): a letter or
 * `_`, then letters, digits and `_`, at most 64 characters: what a module reads as
 * `ctx.params.<name>`.
 */
export const MODULE_PARAMETER_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
export const MODULE_PARAMETER_RULE =
  "must start with a letter or '_' and hold only letters, digits and '_' (at most 64)";

/** The model fields a sweep gave, before defaults. */
interface RawModel {
  readonly hidden?: readonly number[] | undefined;
  readonly activation?: string | undefined;
  readonly layers?: readonly unknown[] | undefined;
  readonly module?: string | undefined;
}

/**
 * Checks the model fields of a module sweep: `hidden`, `activation` and `layers` describe the
 * built-in trainer's model, so they are refused beside `module`; a module path ends in .ts, .mts, .js or .mjs.
 * Issues are appended.
 */
export function checkModuleModel(model: RawModel, issues: Issue[]): void {
  for (const key of ["hidden", "activation", "layers"] as const)
    if (model[key] !== undefined)
      issues.push({
        path: `model.${key}`,
        message: "describes the built-in trainer's model; it cannot be set beside model.module",
      });
  const path = model.module ?? "";
  if (!/\.(m?ts|m?js)$/.test(path))
    issues.push({
      path: "model.module",
      message: `must name a TypeScript or JavaScript file (.ts, .mts, .js, .mjs), got ${show(path)}`,
    });
}
