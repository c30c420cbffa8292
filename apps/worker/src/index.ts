export { createDecidePrune, type DecidePrune, defaultPrunerFactory, type PrunerFactory } from "./decide-prune.ts";
export { createTrainingPool, type TrainingPool, type TrainResult } from "./training-pool.ts";
export { createWorker, type HpoWorker, type WorkerOptions } from "./worker.ts";
