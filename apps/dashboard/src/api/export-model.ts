/** Exports: the coordinator refits a trial and returns its files (POST /api/sweeps/:id/export). */
import { request } from "./client.ts";

/** The files of an export as the API returns them (`hpo export` writes the same ones). */
export type ExportedFiles = ExportedModel | ExportedProgram;

/** A TensorFlow.js model's export (built-in trainer, model modules). */
export interface ExportedModel {
  readonly "model.json": unknown;
  /** base64 of the float32 weights. */
  readonly "weights.bin": string;
  readonly "preprocessing.json": unknown;
  readonly "model-card.json": unknown;
}

/** A program's export: what its refit run wrote (relative path → base64), and the card. */
export interface ExportedProgram {
  readonly files: Readonly<Record<string, string>>;
  readonly "model-card.json": unknown;
}

const bytesOf = (base64: string) => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));

/** One file to save: its name and content. */
export interface DownloadFile {
  readonly name: string;
  readonly type: string;
  readonly bytes: Uint8Array;
}

/**
 * The files to save for an export, in the layout `tf.loadLayersModel` expects (model.json names
 * weights.bin beside it): the JSON ones pretty-printed, weights.bin decoded from base64. A
 * program's export: each file it wrote (decoded; a file in a subfolder is saved as `a__b.txt`,
 * downloads have no folders), then model-card.json.
 */
export function downloadFilesOf(files: ExportedFiles): DownloadFile[] {
  const json = (name: string, value: unknown): DownloadFile => ({
    name,
    type: "application/json",
    bytes: new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`),
  });
  const card = json("model-card.json", files["model-card.json"]);
  if ("files" in files)
    return [
      ...Object.entries(files.files).map(([path, base64]) => ({
        name: path.split("/").join("__"),
        type: "application/octet-stream",
        bytes: bytesOf(base64),
      })),
      card,
    ];
  return [
    json("model.json", files["model.json"]),
    { name: "weights.bin", type: "application/octet-stream", bytes: bytesOf(files["weights.bin"]) },
    json("preprocessing.json", files["preprocessing.json"]),
    card,
  ];
}

/** Refits trial `trialId` (default: the sweep's best) on the coordinator and returns its files (needs the token). */
export function exportModel(sweepId: string, trialId?: string): Promise<ExportedFiles> {
  return request<ExportedFiles>(`/api/sweeps/${encodeURIComponent(sweepId)}/export`, {
    method: "POST",
    body: JSON.stringify(trialId === undefined ? {} : { trial: trialId }),
  });
}
