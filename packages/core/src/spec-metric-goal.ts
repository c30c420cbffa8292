import type { Issue } from "./errors.ts";
import { defaultGoal } from "./spec-parameters.ts";
import type { Goal } from "./types.ts";

/** Metric names where higher is usually better (accuracy, AUC, F1, R², score, reward, …). */
const HIGHER_IS_BETTER = /acc|auc|f1|r2|score|precision|recall|iou|map|bleu|rouge|reward|return/i;

/**
 * The goal of a sweep's metric when the file gives none. The built-in trainer's metrics have a
 * known direction (`defaultGoal`: minimize losses and errors, maximize the rest). A program's
 * metric gets W&B's default, minimize, with a warning when its name reads like higher-is-better
 * (`val_acc` without `goal: maximize` is minimized in W&B too).
 */
export function metricGoal(name: string, goal: Goal | undefined, program: boolean, warnings: Issue[]): Goal {
  if (goal) return goal;
  if (!program) return defaultGoal(name);
  if (HIGHER_IS_BETTER.test(name) && !/loss|error/i.test(name))
    warnings.push({
      path: "metric.goal",
      message: `is not given, so ${JSON.stringify(name)} is minimized (W&B's default); add goal: maximize if higher is better`,
    });
  return "minimize";
}
