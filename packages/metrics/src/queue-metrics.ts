import type { Registry } from "prom-client";
import { FAMILIES } from "./families.ts";
import { gaugeOf } from "./metric-of.ts";

/** What the queue gauge needs of a BullMQ `Queue`. */
export interface JobCountsSource {
  readonly name: string;
  getJobCounts(...types: JobState[]): Promise<Readonly<Record<string, number>>>;
}

export type JobState =
  | "waiting"
  | "active"
  | "delayed"
  | "prioritized"
  | "waiting-children"
  | "paused"
  | "completed"
  | "failed";

export const JOB_STATES: readonly JobState[] = [
  "waiting",
  "active",
  "delayed",
  "prioritized",
  "waiting-children",
  "paused",
  "completed",
  "failed",
];

/**
 * Registers hpo_queue_jobs{queue,state}: at every scrape, `getJobCounts` of each queue fills the
 * gauge (BullMQ reports "waiting" under the key "wait"; the label says "waiting"). If Redis does
 * not answer the scrape still succeeds, without the queue series.
 */
export function registerQueueMetrics(registry: Registry, queues: readonly JobCountsSource[]): void {
  gaugeOf(registry, FAMILIES.queueJobs, async function collect() {
    const all = await Promise.all(
      queues.map(async (queue) => ({
        queue: queue.name,
        counts: await queue.getJobCounts(...JOB_STATES).catch(() => undefined),
      })),
    );
    this.reset();
    for (const { queue, counts } of all) {
      if (!counts) continue;
      for (const [key, value] of Object.entries(counts)) {
        this.set({ queue, state: key === "wait" ? "waiting" : key }, value);
      }
    }
  });
}
