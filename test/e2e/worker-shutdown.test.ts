import { waitFor } from "@hpo/core/testing";
import { jobIdOf } from "@hpo/store";
import { uniquePrefix } from "@hpo/store/testing";
import { describe, expect, it } from "vitest";
import { apiClient } from "../helpers/api.ts";
import { startWorkerProcess } from "../helpers/processes.ts";
import { e2eStackPerSuite } from "../helpers/stack.ts";

// The trial must outlast the leaving worker's 300 ms grace by far, or it finishes before the
// hand-back (150 epochs took ~0.5 s once the trainer got faster; 1,500 take seconds).
const SPEC = `
name: iris-shutdown
dataset: iris
parameters:
  learning_rate: { value: 0.01 }
cv: { folds: 3 }
budget: { max_trials: 1, max_parallel: 1, max_epochs: 1500 }
`;

describe("a worker process stopped with SIGTERM mid-trial", () => {
  const prefix = uniquePrefix("e2e-sigterm");
  const stack = e2eStackPerSuite({ prefix, coordinator: { mode: "tfjs" } }, "SIGKILL");

  it("exits cleanly, hands the trial back, and another worker finishes it", async () => {
    const leaving = await startWorkerProcess({ prefix, name: "leaving", env: { HPO_CLOSE_GRACE_MS: "300" } });
    stack.workers.push(leaving);
    const api = apiClient(stack.coordinator.url);
    const sweep = await api.submit(SPEC);
    await waitFor(
      "the trial to be training",
      async () => ((await stack.coordinator.store.getTrial(sweep.id, "t0000"))?.curve.length ?? 0) >= 3,
      { intervalMs: 50 },
    );

    expect(await leaving.stop("SIGTERM")).toBe(0);
    expect(leaving.logs().some((r) => r.msg === "worker shutting down: handing the trial back to the queue")).toBe(
      true,
    );
    const job = await stack.queue.getJob(jobIdOf(sweep.id, "t0000"));
    expect(await job?.getState()).toBe("waiting");
    expect(job?.attemptsMade).toBe(0);
    const handedBack = await stack.coordinator.store.getTrial(sweep.id, "t0000");
    expect(handedBack?.state).toBe("running");
    expect(handedBack?.curve.length).toBeLessThan(1500);

    stack.workers.push(await startWorkerProcess({ prefix, name: "taking-over" }));
    const done = await api.ended(sweep.id, 120_000);
    expect(done.status).toBe("completed");
    const trial = await stack.coordinator.store.getTrial(sweep.id, "t0000");
    // `attempts` counts runs started: the handed-back run and the one that finished
    expect(trial).toMatchObject({ state: "completed", worker: "taking-over", attempts: 2 });
    expect(trial?.folds).toHaveLength(3);
    expect(trial?.curve[0]?.epoch).toBe(1); // the curve restarted with the new attempt
  });
});
