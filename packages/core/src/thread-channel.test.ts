import { MessageChannel } from "node:worker_threads";
import { afterEach, describe, expect, it } from "vitest";
import { type Channel, ChannelClosedError, ChannelError, openChannel } from "./thread-channel.ts";

describe("thread channel", () => {
  const ports: MessageChannel[] = [];
  const pair = () => {
    const c = new MessageChannel();
    ports.push(c);
    return c;
  };
  afterEach(() => {
    for (const c of ports.splice(0)) {
      c.port1.close();
      c.port2.close();
    }
  });

  it("carries requests both ways at once, each with its own reply, and notes", async () => {
    const { port1, port2 } = pair();
    const notes: string[] = [];
    // "thread": squares numbers, asking the parent for an offset first
    const thread: Channel<string, number, string> = openChannel<string, number, string, number, number>(port2, {
      onRequest: async (n): Promise<number> => n * n + (await thread.request("offset")),
    });
    const parent = openChannel<number, number, never, string, number, string>(port1, {
      onRequest: (what) => (what === "offset" ? 1000 : -1),
      onNote: (n) => notes.push(n),
    });
    thread.note("hello");
    expect(await Promise.all([parent.request(2), parent.request(3), parent.request(4)])).toEqual([1004, 1009, 1016]);
    expect(notes).toEqual(["hello"]);
  });

  it("rejects with the handler's message, and a ChannelError's data crosses over", async () => {
    const { port1, port2 } = pair();
    openChannel<never, never, never, string, never>(port2, {
      onRequest: (what) => {
        if (what === "plain") throw new Error("plain failure");
        throw new ChannelError("fault failure", { fault: "wasm-abort" });
      },
    });
    const parent = openChannel<string, never, never>(port1);
    await expect(parent.request("plain")).rejects.toMatchObject({ name: "ChannelError", message: "plain failure" });
    const err = await parent.request("fault").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChannelError);
    expect(err).toMatchObject({ message: "fault failure", data: { fault: "wasm-abort" } });
  });

  it("close rejects what is in flight and what comes later with ChannelClosedError", async () => {
    const { port1, port2 } = pair();
    openChannel<never, never, never, string, never>(port2, { onRequest: () => new Promise<never>(() => {}) });
    const parent = openChannel<string, never, never>(port1);
    const inFlight = parent.request("never answered");
    parent.close(new Error("the thread died"));
    await expect(inFlight).rejects.toBeInstanceOf(ChannelClosedError);
    await expect(parent.request("later")).rejects.toMatchObject({ message: "the thread died" });
  });

  it("a side without onRequest answers requests with an error, not silence", async () => {
    const { port1, port2 } = pair();
    openChannel(port2);
    const parent = openChannel<string, never, never>(port1);
    await expect(parent.request("anyone?")).rejects.toMatchObject({ message: "this side takes no requests" });
  });
});
