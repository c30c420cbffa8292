import { describe, expect, it } from "vitest";
import { isSentinelUrl, parseSentinelUrl, redisOptionsOf } from "./redis-url.ts";

describe("REDIS_URL parsing", () => {
  it("reads sentinels, master name, credentials, db and the sentinel password of a redis+sentinel:// URL", () => {
    expect(parseSentinelUrl("redis+sentinel://10.0.0.1:26379,10.0.0.2:26380,[::1]/mymaster")).toEqual({
      sentinels: [
        { host: "10.0.0.1", port: 26379 },
        { host: "10.0.0.2", port: 26380 },
        { host: "::1", port: 26379 },
      ],
      name: "mymaster",
    });
    expect(parseSentinelUrl("redis+sentinel://app:p%40ss@s1:5000/hpo/2?sentinelPassword=sp")).toEqual({
      sentinels: [{ host: "s1", port: 5000 }],
      name: "hpo",
      username: "app",
      password: "p@ss",
      sentinelPassword: "sp",
      db: 2,
    });
    expect(parseSentinelUrl("redis+sentinel://:secret@s1/hpo")).toMatchObject({ password: "secret" });
  });

  it("gives ioredis sentinel options, and plain URLs as they are", () => {
    expect(redisOptionsOf("redis+sentinel://s1:1,s2:2/hpo", { maxRetriesPerRequest: null })).toEqual({
      sentinels: [
        { host: "s1", port: 1 },
        { host: "s2", port: 2 },
      ],
      name: "hpo",
      maxRetriesPerRequest: null,
    });
    expect(redisOptionsOf("rediss://:pw@h:6380/1")).toEqual({ url: "rediss://:pw@h:6380/1" });
    expect(isSentinelUrl("redis://h:6379")).toBe(false);
  });

  it("names what is wrong, with the password redacted", () => {
    const error = (url: string) => {
      try {
        parseSentinelUrl(url);
      } catch (e) {
        return (e as Error).message;
      }
      return "no error";
    };
    expect(error("redis+sentinel://s1:26379")).toBe(
      'REDIS_URL "redis+sentinel://s1:26379": not a Sentinel URL (expected redis+sentinel://host:port[,host:port…]/master[/db])',
    );
    expect(error("redis+sentinel://:hunter2@s1:99999/hpo")).toContain(
      '"redis+sentinel://***@s1:99999/hpo": port of "s1:99999" must be 1-65535',
    );
    expect(error("redis+sentinel://:hunter2@s1:99999/hpo")).not.toContain("hunter2");
    expect(error("redis+sentinel://s1:1,,s2:2/hpo")).toContain('"" is not host:port');
    expect(error("redis+sentinel://s1/hpo/x")).toContain('db must be a whole number >= 0, got "x"');
  });
});
