import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { INSTALL_REDIS_MESSAGE, resolveRedis } from "./local-redis.ts";
import { findOnPath, freePort, pingRedis } from "./net-utils.ts";

describe("resolveRedis", () => {
  let cwd: string;
  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), "hpo-redis-"));
  });
  afterEach(() => rmSync(cwd, { recursive: true, force: true }));
  const onLine = () => {};

  it("uses REDIS_URL when it answers, and says so when it does not", async () => {
    const r = await resolveRedis({ env: { REDIS_URL: "redis://127.0.0.1:6379/0" }, cwd, onLine });
    expect(r).toMatchObject({ url: "redis://127.0.0.1:6379/0", origin: "env" });
    const port = await freePort();
    await expect(resolveRedis({ env: { REDIS_URL: `redis://127.0.0.1:${port}` }, cwd, onLine })).rejects.toThrow(
      `REDIS_URL redis://127.0.0.1:${port}: nothing answers on 127.0.0.1:${port}`,
    );
    // A password in the URL is not repeated in the message.
    const err = (await resolveRedis({ env: { REDIS_URL: `redis://:s3cret@127.0.0.1:${port}` }, cwd, onLine }).catch(
      (e: unknown) => e,
    )) as Error;
    expect(err.message).toContain(`REDIS_URL redis://***@127.0.0.1:${port}`);
    expect(err.message).not.toContain("s3cret");
  });

  it("checks a redis+sentinel:// REDIS_URL through its sentinels, and names a malformed one", async () => {
    const port = await freePort();
    const url = `redis+sentinel://:s3cret@127.0.0.1:${port}/hpo`;
    const err = (await resolveRedis({ env: { REDIS_URL: url }, cwd, onLine }).catch((e: unknown) => e)) as Error;
    expect(err.message).toBe(
      `REDIS_URL redis+sentinel://***@127.0.0.1:${port}/hpo: no sentinel of 127.0.0.1:${port} gave a primary "hpo" that answers; check the sentinels or unset REDIS_URL`,
    );
    await expect(resolveRedis({ env: { REDIS_URL: "redis+sentinel://127.0.0.1:1" }, cwd, onLine })).rejects.toThrow(
      "not a Sentinel URL",
    );
  });

  it("uses a Redis that answers PING on the local port", async () => {
    const answers = await pingRedis("127.0.0.1", 6379);
    expect(answers, "these tests expect the shared Redis on 127.0.0.1:6379").toBe(true);
    const r = await resolveRedis({ env: {}, cwd, onLine });
    expect(r).toMatchObject({ url: "redis://127.0.0.1:6379", origin: "local" });
  });

  it("says exactly how to install Redis when none answers and redis-server is not on PATH", async () => {
    const err = await resolveRedis({ env: { PATH: cwd }, cwd, onLine, localPort: await freePort() }).catch(
      (e: unknown) => e,
    );
    expect((err as Error).message).toBe(INSTALL_REDIS_MESSAGE);
    expect(INSTALL_REDIS_MESSAGE).toContain("apt-get install -y redis-server");
    expect(INSTALL_REDIS_MESSAGE).toContain("brew install redis");
    expect(INSTALL_REDIS_MESSAGE).toContain("docker run");
  });

  it("starts a private redis-server with AOF under .hpo/redis, on loopback, and stops it", async () => {
    expect(findOnPath("redis-server"), "redis-server must be on PATH for this test").toBeDefined();
    const lines: string[] = [];
    const r = await resolveRedis({
      env: { PATH: process.env.PATH },
      cwd,
      onLine: (_name, line) => lines.push(line),
      localPort: await freePort(),
    });
    try {
      expect(r.origin).toBe("private");
      const port = Number(new URL(r.url).port);
      expect(new URL(r.url).hostname).toBe("127.0.0.1");
      expect(await pingRedis("127.0.0.1", port)).toBe(true);
      expect(existsSync(join(cwd, ".hpo/redis"))).toBe(true);
      // AOF on: Redis 7 writes appendonlydir/, Redis 6 appendonly.aof.
      await new Promise((res) => setTimeout(res, 300));
      expect(readdirSync(join(cwd, ".hpo/redis")).some((f) => f.startsWith("appendonly"))).toBe(true);
      await r.close();
      expect(await pingRedis("127.0.0.1", port)).toBe(false);
    } finally {
      await r.close();
    }
  });
});
