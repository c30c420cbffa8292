/**
 * Resolves once everything written so far to stdout and stderr has left the process. Writes to a
 * pipe are asynchronous in Node, so `process.exit()` right after a large write drops whatever the
 * reader has not taken yet (a pipe holds 64 KiB): `bin.ts` awaits this before it exits. A file
 * or a terminal is written synchronously and resolves at once; so does a stream already closed
 * (EPIPE: the reader went away, as with `| head`). Never rejects; it waits as long as the reader
 * takes, like any program writing to a pipe.
 */
export function drainStdio(): Promise<void> {
  return Promise.all([flushed(process.stdout), flushed(process.stderr)]).then(() => undefined);
}

function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || stream.writableEnded) {
      resolve();
      return;
    }
    // Writes complete in order: the callback of an empty write runs after every earlier one.
    stream.write("", () => resolve());
  });
}
