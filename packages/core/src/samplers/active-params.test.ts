import { describe, expect, it } from "vitest";
import type { ParameterSpec } from "../types.ts";
import { activeParams, isActive, sameValue } from "./active-params.ts";

const params: Record<string, ParameterSpec> = {
  optimizer: { distribution: { kind: "categorical", values: ["sgd", "momentum"] } },
  momentum: { distribution: { kind: "uniform", min: 0, max: 1 }, when: { optimizer: ["momentum"] } },
  nesterov: { distribution: { kind: "categorical", values: [true, false] }, when: { optimizer: ["momentum"] } },
  lr_schedule: { distribution: { kind: "categorical", values: ["constant", "step"] } },
  // Nested: active only when nesterov is active and true.
  lr_decay_rate: { distribution: { kind: "uniform", min: 0.1, max: 1 }, when: { nesterov: [true] } },
};

describe("active params", () => {
  it("drops parameters whose condition fails, transitively", () => {
    expect(
      activeParams(params, {
        optimizer: "sgd",
        momentum: 0.5,
        nesterov: true,
        lr_schedule: "step",
        lr_decay_rate: 0.5,
      }),
    ).toEqual({ optimizer: "sgd", lr_schedule: "step" });
    expect(
      activeParams(params, {
        optimizer: "momentum",
        momentum: 0.5,
        nesterov: true,
        lr_schedule: "step",
        lr_decay_rate: 0.5,
      }),
    ).toEqual({ optimizer: "momentum", momentum: 0.5, nesterov: true, lr_schedule: "step", lr_decay_rate: 0.5 });
    expect(isActive("lr_decay_rate", params, { optimizer: "momentum", nesterov: false })).toBe(false);
  });

  it("compares list values element-wise", () => {
    expect(sameValue([1, 2], [1, 2])).toBe(true);
    expect(sameValue([1, 2], [2, 1])).toBe(false);
    expect(sameValue(1, "1")).toBe(false);
  });
});
