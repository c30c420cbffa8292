import { describe, expect, it } from "vitest";
import { tokensProblem } from "./auth.ts";

describe("scoped tokens configuration", () => {
  it("refuses one string for two scopes, naming both variables", () => {
    expect(tokensProblem({ token: "a", submitToken: "b", readToken: "c" })).toBeUndefined();
    expect(tokensProblem({ submitToken: "same", readToken: "same" })).toBe(
      "HPO_SUBMIT_TOKEN and HPO_READ_TOKEN are the same string: give each scope its own token",
    );
    expect(tokensProblem({ token: "x", readToken: "x" })).toContain("HPO_TOKEN and HPO_READ_TOKEN");
  });
});
