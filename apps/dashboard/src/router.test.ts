import { describe, expect, it } from "vitest";
import { parseRoute } from "./router.ts";
import { href } from "./views/view.ts";

describe("hash routes", () => {
  it("round-trips every view, including ids that need escaping", () => {
    expect(parseRoute(href.sweeps())).toEqual({ name: "sweeps" });
    expect(parseRoute(href.sweep("a b/<x>"))).toEqual({ name: "sweep", id: "a b/<x>" });
    expect(parseRoute(href.trial("s-1", "t0007"))).toEqual({ name: "trial", sweepId: "s-1", trialId: "t0007" });
    expect(parseRoute(href.fleet())).toEqual({ name: "fleet" });
    expect(parseRoute(href.submit())).toEqual({ name: "submit" });
    expect(parseRoute("#/nowhere")).toEqual({ name: "sweeps" });
    expect(parseRoute("")).toEqual({ name: "sweeps" });
  });
});
