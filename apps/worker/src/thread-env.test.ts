import { describe, expect, it } from "vitest";
import { threadEnv } from "./thread-env.ts";

describe("threadEnv (what a training thread, and so a model module, sees of the env)", () => {
  it("drops the Redis URL, tokens, passwords and keys; keeps the rest", () => {
    const env = threadEnv({
      REDIS_URL: "redis://:secret@host:6379",
      HPO_URL: "http://coordinator",
      HPO_TOKEN: "t",
      HPO_SUBMIT_TOKEN_FILE: "/run/secrets/submit",
      REDIS_PASSWORD: "p",
      AWS_SECRET_ACCESS_KEY: "k",
      API_KEY: "k",
      PATH: "/usr/bin",
      HOME: "/home/hpo",
      HPO_BACKEND: "wasm",
      FAULT_EPOCH_MS: "100",
      KEYBOARD: "us",
    });
    expect(env).toEqual({
      PATH: "/usr/bin",
      HOME: "/home/hpo",
      HPO_BACKEND: "wasm",
      FAULT_EPOCH_MS: "100",
      KEYBOARD: "us",
    });
  });
});
