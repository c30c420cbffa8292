import type { Redis } from "ioredis";
import type { StoreContext } from "./store-context.ts";
import type { Store } from "./store-types.ts";
import { finishedChannel } from "./trial-writes.ts";

type Broadcasts = Pick<Store, "publishCancel" | "subscribeCancel" | "subscribeFinished"> & {
  /** Unsubscribes and closes every subscriber connection made so far. */
  closeSubscribers(): Promise<void>;
};

/**
 * Pub/sub of the store: cancels (`${prefix}:cancel`, coordinator → workers) and finished trials
 * (`${prefix}:finished`, published by the finishTrial script → scheduler). Each subscription has
 * its own connection (a subscribed connection cannot run other commands).
 */
export function broadcasts(ctx: StoreContext): Broadcasts {
  const { redis, guard } = ctx;
  const cancelChannel = `${ctx.prefix}:cancel`;
  const subscribers = new Set<Redis>();

  const subscribe = (what: string, channel: string, onMessage: (sweepId: string) => void) =>
    guard(`subscribe to ${what}`, async () => {
      const sub = redis.duplicate({ enableAutoPipelining: false });
      subscribers.add(sub);
      sub.on("message", (ch: string, message: string) => {
        if (ch === channel) onMessage(message);
      });
      sub.on("error", () => {}); // reconnects by itself; errors are not fatal for a subscriber
      await sub.subscribe(channel);
      return async () => {
        if (!subscribers.delete(sub)) return;
        await sub.quit().catch(() => sub.disconnect());
      };
    });

  return {
    publishCancel: (sweepId) =>
      guard(`publish cancel of sweep "${sweepId}"`, async () => {
        await redis.publish(cancelChannel, sweepId);
      }),

    subscribeCancel: (onCancel) => subscribe("cancels", cancelChannel, onCancel),

    subscribeFinished: (onFinished) => subscribe("finished trials", finishedChannel(ctx.prefix), onFinished),

    async closeSubscribers() {
      await Promise.all(
        [...subscribers].map((s) => {
          subscribers.delete(s);
          return s.quit().catch(() => s.disconnect());
        }),
      );
    },
  };
}
