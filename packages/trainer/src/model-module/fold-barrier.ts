import { HpoError } from "@hpo/core";

/** Metrics a fold reports at one step (numbers only). */
export type StepMetrics = Readonly<Record<string, number>>;

/** One step of all folds, handed to `onStep` once every running fold has reported it. */
export interface BarrierStep {
  readonly step: number;
  /** Per fold, in fold order: the metrics it reported, or (a fold that returned) its last ones. */
  readonly folds: readonly StepMetrics[];
  /** Per fold: true when the fold returned before this step (its metrics repeat its last report). */
  readonly finished: readonly boolean[];
}

/**
 * The step barrier of a model module's folds, which run interleaved in one thread: each fold's
 * `report(step, metrics)` waits until every fold still running has reported the same step; then
 * `onStep` (K-fold mean, pruner) decides, and every waiting fold gets its answer (true = stop).
 * A fold that returns leaves the barrier (`finish`); its last metrics stand for it at later steps.
 * After `stop()` (cancel, prune, another fold's failure) every report answers true at once.
 */
export class FoldBarrier {
  private readonly pending = new Map<number, { step: number; metrics: StepMetrics; answer: (stop: boolean) => void }>();
  private readonly last: (StepMetrics | undefined)[];
  private readonly lastStep: number[];
  private readonly running: boolean[];
  private stopped = false;
  /** The first error: a fold broke the contract, or `onStep` threw. */
  error: Error | undefined;

  constructor(
    readonly folds: number,
    private readonly onStep: (step: BarrierStep) => Promise<boolean>,
    /** How messages name the module, e.g. `model module "models/lenet.ts"`. */
    private readonly what: string,
    /** Fold index of participant 0 in messages (a repeated K-fold's later repeats). Default 0. */
    private readonly first = 0,
  ) {
    this.last = new Array<StepMetrics | undefined>(folds).fill(undefined);
    this.lastStep = new Array<number>(folds).fill(0);
    this.running = new Array<boolean>(folds).fill(true);
  }

  /** Participant `fold`'s (0 … folds − 1) report of `step`. Resolves true when the fold must stop (pruned, cancelled, failed). */
  report(fold: number, step: number, metrics: StepMetrics): Promise<boolean> {
    if (this.stopped || !this.running[fold]) return Promise.resolve(true);
    const why = this.check(fold, step, metrics);
    if (why) {
      this.fail(new HpoError("INVALID_SPEC", `${this.what}: fold ${this.first + fold} ${why}`));
      return Promise.resolve(true);
    }
    this.lastStep[fold] = step;
    return new Promise<boolean>((answer) => {
      this.pending.set(fold, { step, metrics: { ...metrics }, answer });
      this.release();
    });
  }

  /** Fold `fold` returned (or threw): it leaves the barrier. */
  finish(fold: number): void {
    this.running[fold] = false;
    this.release();
  }

  /** Last metrics each fold reported (undefined for a fold that reported none). */
  lastMetrics(): readonly (StepMetrics | undefined)[] {
    return this.last;
  }

  /** Steps reported by each fold (0: none). */
  stepsOf(fold: number): number {
    return this.lastStep[fold] ?? 0;
  }

  /** Answers every waiting and later report with true. */
  stop(): void {
    this.stopped = true;
    for (const p of this.pending.values()) p.answer(true);
    this.pending.clear();
  }

  /** Records the first error and stops every fold. */
  fail(error: Error): void {
    this.error ??= error;
    this.stop();
  }

  private check(fold: number, step: number, metrics: StepMetrics): string | undefined {
    if (!Number.isInteger(step) || step < 1) return `reported step ${String(step)}: steps are integers from 1`;
    if (step <= (this.lastStep[fold] ?? 0))
      return `reported step ${step} after step ${this.lastStep[fold]}: steps must increase`;
    if (metrics === null || typeof metrics !== "object") return `reported step ${step} without a metrics object`;
    for (const [key, v] of Object.entries(metrics))
      if (typeof v !== "number")
        return `reported step ${step} with metric "${key}" = ${JSON.stringify(v)}: metrics are numbers`;
    return undefined;
  }

  /** Hands the step to `onStep` once every running fold waits; answers them. */
  private release(): void {
    if (this.stopped || this.pending.size === 0) return;
    for (let f = 0; f < this.folds; f++) if (this.running[f] && !this.pending.has(f)) return;
    const waiting = [...this.pending.entries()];
    this.pending.clear();
    const [firstFold, first] = waiting[0] as (typeof waiting)[number];
    const step = first.step;
    const other = waiting.find(([, p]) => p.step !== step);
    if (other) {
      this.fail(
        new HpoError(
          "INVALID_SPEC",
          `${this.what}: fold ${this.first + other[0]} reported step ${other[1].step} while fold ${this.first + firstFold} reported step ${step}: every fold must report the same steps`,
        ),
      );
      for (const [, p] of waiting) p.answer(true);
      return;
    }
    for (const [f, p] of waiting) this.last[f] = p.metrics;
    const folds = this.last.map((m) => m ?? {});
    this.onStep({ step, folds, finished: this.running.map((r) => !r) }).then(
      (stop) => {
        if (stop) this.stopped = true;
        for (const [, p] of waiting) p.answer(stop || this.stopped);
      },
      (err: unknown) => {
        this.fail(err instanceof Error ? err : new Error(String(err)));
        for (const [, p] of waiting) p.answer(true);
      },
    );
  }
}
