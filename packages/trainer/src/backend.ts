import { pathToFileURL } from "node:url";
import * as tf from "@tensorflow/tfjs-core";
import "./register-gradients.ts";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import { HpoError } from "@hpo/core";
import { requireFromTrainer } from "./trainer-package.ts";
import { installWasmKernels } from "./wasm-kernels.ts";

/** A TensorFlow.js backend hpo can train on, best first. */
export type BackendName = "tensorflow-gpu" | "tensorflow" | "wasm" | "cpu";
export type BackendPreference = "auto" | BackendName;

export const BACKEND_PREFERENCES: readonly BackendPreference[] = [
  "auto",
  "tensorflow-gpu",
  "tensorflow",
  "wasm",
  "cpu",
];

/** The backend in use after `selectBackend`, and why it was chosen. */
export interface SelectedBackend {
  readonly name: BackendName;
  readonly reason: string;
}

/** One line per decision; no stack traces. Default: ignore. */
export type BackendLog = (line: string) => void;

const AUTO_ORDER: readonly BackendName[] = ["tensorflow-gpu", "tensorflow", "wasm", "cpu"];

/** Why a backend cannot be used; `undefined` means it is active now. */
async function tryActivate(name: BackendName): Promise<string | undefined> {
  try {
    switch (name) {
      case "tensorflow-gpu": {
        const ok = await importOptional("@tensorflow/tfjs-node-gpu");
        if (!ok) return "@tensorflow/tfjs-node-gpu is not installed";
        if (!(await tf.setBackend("tensorflow"))) return "@tensorflow/tfjs-node-gpu failed to initialise";
        // tfjs-node-gpu silently runs on the CPU when CUDA/cuDNN are missing.
        const backend = tf.backend() as unknown as { isUsingGpuDevice?: boolean };
        if (backend.isUsingGpuDevice !== true)
          return "@tensorflow/tfjs-node-gpu found no usable GPU (CUDA 11.2 + cuDNN 8.1 needed)";
        return undefined;
      }
      case "tensorflow": {
        const ok = await importOptional("@tensorflow/tfjs-node");
        if (!ok) return "@tensorflow/tfjs-node is not installed";
        if (!(await tf.setBackend("tensorflow"))) return "@tensorflow/tfjs-node failed to initialise";
        return undefined;
      }
      case "wasm":
      case "cpu":
        if (!(await tf.setBackend(name))) return `${name} backend failed to initialise`;
        return undefined;
    }
  } catch (e) {
    return `${name} backend failed to initialise: ${firstLine(e)}`;
  }
}

/**
 * Imports an optional peer package installed beside @hpo/trainer (also when this code runs bundled
 * into an app's dist/); false when it is not installed. Other load errors propagate.
 */
async function importOptional(specifier: string): Promise<boolean> {
  let file: string;
  try {
    file = requireFromTrainer().resolve(specifier);
  } catch {
    return false;
  }
  await import(/* @vite-ignore */ pathToFileURL(file).href);
  return true;
}

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split("\n")[0] ?? msg;
}

/**
 * Activates a TensorFlow.js backend for this process (or worker thread). With `"auto"`, tries
 * tfjs-node-gpu (only when it reports a GPU), tfjs-node, wasm, then cpu, logging one line for each
 * backend skipped and one for the choice. tfjs-node(-gpu) are optional peer dependencies: their
 * absence is a logged fallback, not an error.
 * @throws HpoError("UNAVAILABLE") when a forced backend cannot be used, or no backend works;
 *         HpoError("INVALID_REQUEST") for an unknown preference.
 */
export async function selectBackend(
  preference: BackendPreference = "auto",
  log: BackendLog = () => {},
): Promise<SelectedBackend> {
  if (!BACKEND_PREFERENCES.includes(preference)) {
    throw new HpoError(
      "INVALID_REQUEST",
      `backend selection: unknown backend "${String(preference)}", expected one of ${BACKEND_PREFERENCES.join(", ")}`,
    );
  }
  if (preference !== "auto") {
    const why = await tryActivate(preference);
    if (why !== undefined)
      throw new HpoError("UNAVAILABLE", `backend selection: forced backend "${preference}" is unavailable: ${why}`);
    if (preference === "wasm") installWasmKernels();
    const chosen = { name: preference, reason: "forced by configuration" };
    log(`backend: using ${chosen.name} (${chosen.reason})`);
    return chosen;
  }
  const skipped: string[] = [];
  for (const name of AUTO_ORDER) {
    const why = await tryActivate(name);
    if (why === undefined) {
      if (name === "wasm") installWasmKernels();
      const reason = skipped.length === 0 ? "best available" : `best available; skipped ${skipped.join(", ")}`;
      log(`backend: using ${name} (best available)`);
      return { name, reason };
    }
    skipped.push(name);
    log(`backend: skipping ${name}: ${why}`);
  }
  throw new HpoError("UNAVAILABLE", "backend selection: no TensorFlow.js backend could be initialised");
}

/** Live tensors of this process's (or worker thread's) tfjs engine: a leak check after each trial. */
export function liveTensors(): number {
  return tf.memory().numTensors;
}

/** Name of the active tfjs backend, initialising the default one if none was selected yet. */
export async function activeBackend(): Promise<string> {
  await tf.ready();
  return tf.getBackend();
}
