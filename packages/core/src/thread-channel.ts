/**
 * hpo's one message protocol between a worker thread and its parent: either side sends requests
 * that get exactly one reply, and one-way notes.
 *
 *   { t: "req", id, body }            a request; the other side's `onRequest` answers it
 *   { t: "res", id, body }            its reply
 *   { t: "err", id, message, data? }  or its failure (`data`: what the answering side attached
 *                                     with a ChannelError, e.g. the kind of a runtime fault)
 *   { t: "note", body }               a one-way message for the other side's `onNote`
 *
 * Ids are per sender, so both sides can have requests in flight at once (the training thread
 * asks its parent whether to prune while the parent waits for the trial's outcome). Users: the
 * worker's training pool (apps/worker/src/training-pool.ts) and the coordinator's request threads
 * (apps/coordinator/src/request-thread.ts). Threads are started with `startModuleThread`.
 */
import type { Transferable } from "node:worker_threads";

/** A Worker (parent side) or `parentPort` (thread side). */
export interface ChannelPort {
  postMessage(value: unknown, transferList?: readonly Transferable[]): void;
  // biome-ignore lint/suspicious/noExplicitAny: the shape of Worker's and MessagePort's catch-all `on`
  on(event: string, listener: (...args: any[]) => void): unknown;
}

/** A failed request. Thrown by an `onRequest` handler, `data` travels to the asking side. */
export class ChannelError extends Error {
  constructor(
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = "ChannelError";
  }
}

/** Rejects the requests in flight when the channel is closed (the other side died or was stopped). */
export class ChannelClosedError extends Error {
  constructor(cause: Error) {
    super(cause.message, { cause });
    this.name = "ChannelClosedError";
  }
}

/** What one side does with what the other side sends. */
export interface ChannelHandlers<PeerReq, PeerRes, PeerNote> {
  /** Answers a request of the other side; a throw becomes its rejection (a ChannelError keeps its data). */
  onRequest?(req: PeerReq): PeerRes | Promise<PeerRes>;
  /** Takes a note of the other side. */
  onNote?(note: PeerNote): void;
  /** Objects of a reply to move rather than copy (e.g. the buffers of a large answer). */
  transfer?(res: PeerRes): readonly Transferable[];
}

/** One side of a channel: sends requests `Req` (answered with `Res`) and notes `Note`. */
export interface Channel<Req, Res, Note> {
  /** The other side's reply; rejects with a ChannelError when its handler threw, a ChannelClosedError on close. */
  request(req: Req): Promise<Res>;
  note(note: Note): void;
  /** Rejects the requests in flight (and any later one) with a ChannelClosedError of `cause`. */
  close(cause: Error): void;
}

type Wire =
  | { readonly t: "req"; readonly id: number; readonly body: unknown }
  | { readonly t: "res"; readonly id: number; readonly body: unknown }
  | { readonly t: "err"; readonly id: number; readonly message: string; readonly data?: unknown }
  | { readonly t: "note"; readonly body: unknown };

/** Opens this side of a channel on `port`. */
export function openChannel<Req, Res, Note, PeerReq = never, PeerRes = never, PeerNote = never>(
  port: ChannelPort,
  handlers: ChannelHandlers<PeerReq, PeerRes, PeerNote> = {},
): Channel<Req, Res, Note> {
  let seq = 0;
  let closed: ChannelClosedError | undefined;
  const pending = new Map<number, { resolve: (res: Res) => void; reject: (e: Error) => void }>();
  const send = (msg: Wire, transfer?: readonly Transferable[]) => {
    if (!closed) port.postMessage(msg, transfer);
  };

  const answer = (id: number, req: PeerReq) => {
    Promise.resolve()
      .then(() => {
        if (!handlers.onRequest) throw new Error("this side takes no requests");
        return handlers.onRequest(req);
      })
      .then(
        (res) => send({ t: "res", id, body: res }, handlers.transfer?.(res)),
        (e: unknown) =>
          send({
            t: "err",
            id,
            message: e instanceof Error ? e.message : String(e),
            ...(e instanceof ChannelError && e.data !== undefined && { data: e.data }),
          }),
      );
  };

  port.on("message", (msg: Wire) => {
    switch (msg.t) {
      case "req":
        answer(msg.id, msg.body as PeerReq);
        break;
      case "note":
        handlers.onNote?.(msg.body as PeerNote);
        break;
      case "res":
      case "err": {
        const p = pending.get(msg.id);
        if (!p) return;
        pending.delete(msg.id);
        if (msg.t === "res") p.resolve(msg.body as Res);
        else p.reject(new ChannelError(msg.message, msg.data));
        break;
      }
    }
  });

  return {
    request(req) {
      if (closed) return Promise.reject(closed);
      const id = ++seq;
      return new Promise<Res>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        send({ t: "req", id, body: req });
      });
    },
    note(note) {
      send({ t: "note", body: note });
    },
    close(cause) {
      if (closed) return;
      closed = new ChannelClosedError(cause);
      for (const p of pending.values()) p.reject(closed);
      pending.clear();
    },
  };
}
