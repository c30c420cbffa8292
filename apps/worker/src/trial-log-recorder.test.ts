import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { recordingLogger } from "./trial-log-recorder.ts";

/** A pino logger writing JSON lines into `out`. */
function capture(out: string[]) {
  return pino({ level: "info" }, { write: (s: string) => out.push(s) });
}

describe("recordingLogger", () => {
  it("logs through pino as before and keeps each line for the trial log", () => {
    const printed: string[] = [];
    let t = 100;
    const log = recordingLogger(capture(printed).child({ trialId: "t0001" }), "w1", () => t++);
    log.info({ attempt: 2, params: { lr: 0.1 } }, "trial started");
    log.warn("slow epoch");
    log.error({ err: new Error("boom"), last: true }, "trial attempt failed");

    expect(printed.map((s) => JSON.parse(s) as { msg: string; trialId: string })).toMatchObject([
      { msg: "trial started", trialId: "t0001" },
      { msg: "slow epoch" },
      { msg: "trial attempt failed" },
    ]);
    expect(log.drain()).toEqual([
      { time: 100, level: "info", worker: "w1", message: "trial started", fields: { attempt: 2, params: { lr: 0.1 } } },
      { time: 101, level: "warn", worker: "w1", message: "slow epoch" },
      { time: 102, level: "error", worker: "w1", message: "trial attempt failed", fields: { err: "boom", last: true } },
    ]);
    expect(log.drain()).toEqual([]); // drained lines are not returned twice
  });

  it("keeps the message when fields cannot be serialized", () => {
    const log = recordingLogger(capture([]), "w1", () => 1);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    log.info({ cyclic }, "odd fields");
    expect(log.drain()).toEqual([{ time: 1, level: "info", worker: "w1", message: "odd fields" }]);
  });
});
