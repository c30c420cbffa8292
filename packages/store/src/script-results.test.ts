import { describe, expect, it } from "vitest";
import { checkScriptResult, SCRIPT_RESULT, scriptError } from "./script-results.ts";

describe("scriptError", () => {
  const call = { operation: 'resume sweep "s1"', subject: 'sweep "s1"', notAllowed: "the sweep is running" };

  it("turns the error results into HpoErrors that name the operation", () => {
    expect(scriptError(SCRIPT_RESULT.MISSING, call)).toMatchObject({
      code: "NOT_FOUND",
      message: 'resume sweep "s1": sweep "s1" not found',
    });
    expect(scriptError(SCRIPT_RESULT.NOT_ALLOWED, call)).toMatchObject({
      code: "CONFLICT",
      message: 'resume sweep "s1": the sweep is running',
    });
    expect(scriptError(SCRIPT_RESULT.SPEC_CHANGED, call)).toMatchObject({ code: "CONFLICT" });
  });

  it("passes every other result through", () => {
    for (const r of [SCRIPT_RESULT.DONE, SCRIPT_RESULT.IGNORED, 7, [1, 0]]) {
      expect(scriptError(r, call)).toBeUndefined();
      expect(checkScriptResult(r, call)).toBe(r);
    }
    expect(() => checkScriptResult(SCRIPT_RESULT.MISSING, call)).toThrow(/not found/);
  });
});
