// Entry of every training thread. Node 20 does not apply the parent's tsx loader (--import) to
// worker threads, so the thread registers tsx itself before importing the TypeScript body.
import { workerData } from "node:worker_threads";

if (workerData.entry.endsWith(".ts")) {
  const { register } = await import("tsx/esm/api");
  register();
}
await import(workerData.entry);
