/**
 * Calls `handler` on SIGINT and SIGTERM (instead of Node's default of exiting at once, which
 * would leave detached children running). Returns a function that removes the handlers.
 */
export function onStopSignals(handler: (signal: NodeJS.Signals) => void): () => void {
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return () => {
    process.removeListener("SIGINT", handler);
    process.removeListener("SIGTERM", handler);
  };
}
