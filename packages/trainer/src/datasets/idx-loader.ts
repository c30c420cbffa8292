import { readFileSync, statSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { HpoError } from "@hpo/core";

/** Largest IDX file accepted, compressed or not, and largest decompressed payload, in bytes. */
export const MAX_IDX_BYTES = 512 * 1024 * 1024;

/** An unsigned-byte IDX array (the format of MNIST and Fashion-MNIST): dims and row-major values. */
export interface IdxArray {
  readonly dims: readonly number[];
  readonly data: Uint8Array;
}

const fail = (file: string, problem: string): never => {
  throw new HpoError("INVALID_DATASET", `IDX file ${file}: ${problem}`);
};

/**
 * Parses an IDX file's bytes (gzip-compressed or raw): magic 0x0000, type 0x08 (unsigned byte),
 * 1–4 big-endian uint32 dimensions, then the values. With `maxItems`, only the first `maxItems`
 * entries along the first dimension are kept. The announced size is checked against
 * `MAX_IDX_BYTES` and against the bytes present before anything is allocated for it.
 * @throws HpoError("INVALID_DATASET") naming `file` and the problem.
 */
export function parseIdx(bytes: Uint8Array, file: string, maxItems?: number): IdxArray {
  let raw = bytes;
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      raw = gunzipSync(bytes, { maxOutputLength: MAX_IDX_BYTES });
    } catch (e) {
      const code = (e as { code?: string }).code;
      fail(
        file,
        code === "ERR_BUFFER_TOO_LARGE"
          ? `decompresses to more than ${MAX_IDX_BYTES} bytes`
          : `is not valid gzip (${(e as Error).message})`,
      );
    }
  }
  if (raw.length < 4) fail(file, `is ${raw.length} bytes long, too short for an IDX header`);
  if (raw[0] !== 0 || raw[1] !== 0) fail(file, "does not start with the IDX magic 0x0000 (not an IDX file?)");
  const type = raw[2] as number;
  if (type !== 0x08)
    fail(
      file,
      `holds values of type 0x${type.toString(16).padStart(2, "0")}; hpo reads unsigned-byte (0x08) IDX files`,
    );
  const rank = raw[3] as number;
  if (rank < 1 || rank > 4) fail(file, `announces ${rank} dimensions; expected 1 to 4`);
  const headerBytes = 4 + 4 * rank;
  if (raw.length < headerBytes) fail(file, `ends inside its header (${raw.length} of ${headerBytes} bytes)`);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false));
  const announced = dims.reduce((a, b) => a * b, 1);
  if (announced > MAX_IDX_BYTES)
    fail(file, `announces ${dims.join("×")} values, more than the limit of ${MAX_IDX_BYTES}`);
  const present = raw.length - headerBytes;
  if (present < announced)
    fail(file, `is truncated: its header announces ${dims.join("×")} = ${announced} values, the file holds ${present}`);
  const items = maxItems === undefined ? (dims[0] as number) : Math.min(maxItems, dims[0] as number);
  const perItem = announced / Math.max(1, dims[0] as number);
  const data = raw.slice(headerBytes, headerBytes + items * perItem);
  return { dims: [items, ...dims.slice(1)], data };
}

/** `parseIdx` of a file on disk, its size checked before it is read. */
export function readIdxFile(file: string, maxItems?: number): IdxArray {
  let size: number;
  try {
    size = statSync(file).size;
  } catch (e) {
    return fail(file, `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (size > MAX_IDX_BYTES) fail(file, `is ${size} bytes, more than the limit of ${MAX_IDX_BYTES}`);
  return parseIdx(readFileSync(file), file, maxItems);
}
