/** Worker-thread entry: computes PED-ANOVA for each message and posts the result back. */
import { parentPort } from "node:worker_threads";
import { type ImportanceInput, pedAnova } from "./ped-anova.ts";

parentPort?.on("message", (msg: { readonly id: number; readonly input: ImportanceInput }) => {
  try {
    parentPort?.postMessage({ id: msg.id, result: pedAnova(msg.input) });
  } catch (e) {
    parentPort?.postMessage({ id: msg.id, error: e instanceof Error ? e.message : String(e) });
  }
});
