/**
 * The sweep YAML the fault and restart tests submit: random search on iris over learning rate and
 * batch size (plus `extraParams` lines), 3 folds. What varies between tests is the name, the seed
 * and the budget.
 */
export interface NoopSpecOptions {
  readonly name: string;
  readonly seed: number;
  readonly maxTrials: number;
  readonly maxParallel: number;
  readonly maxEpochs: number;
  /** More `parameters:` entries, one per line, e.g. `dropout: { distribution: uniform, min: 0, max: 0.5 }`. */
  readonly extraParams?: readonly string[];
  /** `model.module`: the trials run this model module (e.g. the fault tests' fault-model.ts). */
  readonly module?: string;
}

export function noopSpecYaml(o: NoopSpecOptions): string {
  return `
name: ${o.name}
method: random
seed: ${o.seed}
dataset: iris
parameters:
  learning_rate: { distribution: log_uniform_values, min: 0.0001, max: 0.1 }
  batch_size: { values: [16, 32, 64] }
${(o.extraParams ?? []).map((p) => `  ${p}\n`).join("")}${o.module ? `model: { module: ${o.module} }\n` : ""}cv: { folds: 3 }
budget: { max_trials: ${o.maxTrials}, max_parallel: ${o.maxParallel}, max_epochs: ${o.maxEpochs} }
`;
}
