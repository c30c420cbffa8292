/** Exports: the coordinator refits a trial and returns its files (POST /api/sweeps/:id/export). */
import { request } from "./client.ts";

/** The files of an export as the API returns them (`hpo export` writes the same ones). */
export interface ExportedFiles {
  readonly "model.json": unknown;
  /** base64 of the float32 weights. */
  readonly "weights.bin": string;
  readonly "preprocessing.json": unknown;
  readonly "model-card.json": unknown;
}

/** One file to save: its name and content. */
export interface DownloadFile {
  readonly name: string;
  readonly type: string;
  readonly bytes: Uint8Array;
}

/**
 * The files to save for an export, in the layout `tf.loadLayersModel` expects (model.json names
 * weights.bin beside it): the JSON ones pretty-printed, weights.bin decoded from base64.
 */
export function downloadFilesOf(files: ExportedFiles): DownloadFile[] {
  const json = (name: "model.json" | "preprocessing.json" | "model-card.json"): DownloadFile => ({
    name,
    type: "application/json",
    bytes: new TextEncoder().encode(`${JSON.stringify(files[name], null, 2)}\n`),
  });
  const raw = atob(files["weights.bin"]);
  const weights = Uint8Array.from(raw, (c) => c.charCodeAt(0));
  return [
    json("model.json"),
    { name: "weights.bin", type: "application/octet-stream", bytes: weights },
    json("preprocessing.json"),
    json("model-card.json"),
  ];
}

/** Refits trial `trialId` (default: the sweep's best) on the coordinator and returns its files (needs the token). */
export function exportModel(sweepId: string, trialId?: string): Promise<ExportedFiles> {
  return request<ExportedFiles>(`/api/sweeps/${encodeURIComponent(sweepId)}/export`, {
    method: "POST",
    body: JSON.stringify(trialId === undefined ? {} : { trial: trialId }),
  });
}
