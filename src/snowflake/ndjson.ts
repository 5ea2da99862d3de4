/**
 * Append bodies: rows (already JSON text) joined into NDJSON, gzip-compressed when that helps,
 * and split so that every request stays under the 4 MB wire cap (spec §3.3).
 *
 * Rows are never parsed again here: the outbox stores the exact JSON to send, and re-parsing would
 * cost more than everything else on the hot path.
 *
 * @module
 */
import { MAX_APPEND_WIRE_BYTES } from "./protocol.ts";

/** A row to send: its offset (outbox id) and its JSON text. */
export interface OutgoingRow {
  readonly id: number;
  readonly json: string;
}

/** One request body covering `rows[start, end)` of the input. */
export interface AppendBody {
  /** Bytes as sent on the wire. */
  readonly bytes: Uint8Array<ArrayBuffer>;
  /** True when `bytes` is gzip. */
  readonly gzip: boolean;
  /** NDJSON size before compression. */
  readonly uncompressedBytes: number;
  /** Index of the first row in the input array. */
  readonly start: number;
  /** Index after the last row in the input array. */
  readonly end: number;
  /** Offset token (id) of the first row. */
  readonly firstId: number;
  /** Offset token (id) of the last row. */
  readonly lastId: number;
}

/** When to compress: `auto` compresses bodies of at least `minCompressBytes`. */
export type CompressionMode = "auto" | "always" | "never";

/** Options of {@link encodeAppendBodies}. */
export interface EncodeOptions {
  /** Wire cap per request; default {@link MAX_APPEND_WIRE_BYTES}. */
  maxWireBytes?: number;
  /** `never` still compresses a single row that would not fit otherwise. Default `auto`. */
  compression?: CompressionMode;
  /** `auto` threshold; default 16 KiB (below it gzip saves little and costs a round of CPU). */
  minCompressBytes?: number;
  /** Cap of the uncompressed NDJSON per request when compressing; default 4 × the wire cap. */
  maxUncompressedBytes?: number;
}

/** A single row that cannot be sent within the wire cap, even compressed. */
export class RowTooLargeError extends Error {
  /** Offset (outbox id) of the row. */
  readonly id: number;
  constructor(id: number, bytes: number, cap: number) {
    super(`row ${id} is ${bytes} bytes, more than the ${cap}-byte append cap even compressed`);
    this.name = "RowTooLargeError";
    this.id = id;
  }
}

const encoder = new TextEncoder();

/** gzip with the platform's CompressionStream, reading `bytes` in place (no copy of them). */
export async function gzip(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const compressor = new CompressionStream("gzip");
  const writer = compressor.writable.getWriter();
  const written = Promise.all([writer.write(bytes), writer.close()]);
  const packed = await new Response(compressor.readable).arrayBuffer();
  await written;
  return new Uint8Array(packed);
}

/**
 * One JSON text per line, as UTF-8, written straight into one buffer: no joined string and no
 * second copy, which at full speed were megabytes per batch for the garbage collector. A raw line
 * break inside a row would split it in two; outside strings it is only whitespace and inside
 * strings it is invalid JSON anyway, so it becomes a space.
 */
function ndjson(rows: readonly OutgoingRow[], start: number, end: number): Uint8Array<ArrayBuffer> {
  // Exact for ASCII, the usual case; UTF-8 takes at most three bytes per UTF-16 unit.
  let size = 0;
  for (let i = start; i < end; i++) size += rows[i].json.length + 1;
  let buf = new Uint8Array(size);
  let pos = 0;
  for (let i = start; i < end; i++) {
    let json = rows[i].json;
    if (json.includes("\n") || json.includes("\r")) json = json.replace(/[\r\n]+/g, " ");
    for (;;) {
      const { read, written } = encoder.encodeInto(json, buf.subarray(pos));
      if (read === json.length && pos + written < buf.length) {
        pos += written;
        break;
      }
      // Not ASCII after all: grow to the most the remaining rows could take, and write it again.
      let rest = 0;
      for (let j = i; j < end; j++) rest += rows[j].json.length * 3 + 1;
      const grown = new Uint8Array(pos + rest);
      grown.set(buf.subarray(0, pos));
      buf = grown;
    }
    buf[pos++] = 10;
  }
  return buf.subarray(0, pos);
}

/**
 * Splits `rows` into request bodies in order, each under the wire cap. Sizes are first estimated
 * from string lengths (exact for ASCII); a body that turns out too big is halved and retried.
 */
export async function encodeAppendBodies(
  rows: readonly OutgoingRow[],
  opts: EncodeOptions = {},
): Promise<AppendBody[]> {
  const cap = opts.maxWireBytes ?? MAX_APPEND_WIRE_BYTES;
  const mode = opts.compression ?? "auto";
  const minCompress = opts.minCompressBytes ?? 16 * 1024;
  const maxUncompressed = mode === "never" ? cap : (opts.maxUncompressedBytes ?? cap * 4);
  const out: AppendBody[] = [];

  const emit = async (start: number, end: number): Promise<void> => {
    const raw = ndjson(rows, start, end);
    const compress = mode === "always" || (mode === "auto" && raw.length >= minCompress);
    if (!compress && raw.length <= cap) {
      out.push(body(raw, false, raw.length, start, end));
      return;
    }
    if (!compress && end - start > 1) return await halve(start, end);
    // Compressing (by choice, or because a single row is too big to send plain).
    const packed = await gzip(raw);
    const rawLength = raw.length;
    // Megabytes that would otherwise wait for the garbage collector: free them now.
    raw.buffer.transfer(0);
    if (packed.length <= cap) {
      out.push(body(packed, true, rawLength, start, end));
      return;
    }
    if (end - start > 1) return await halve(start, end);
    throw new RowTooLargeError(rows[start].id, rawLength, cap);
  };
  const halve = async (start: number, end: number) => {
    const mid = start + Math.floor((end - start) / 2);
    await emit(start, mid);
    await emit(mid, end);
  };
  const body = (
    bytes: Uint8Array<ArrayBuffer>,
    gz: boolean,
    uncompressedBytes: number,
    start: number,
    end: number,
  ): AppendBody => ({
    bytes,
    gzip: gz,
    uncompressedBytes,
    start,
    end,
    firstId: rows[start].id,
    lastId: rows[end - 1].id,
  });

  let start = 0;
  let size = 0;
  for (let i = 0; i < rows.length; i++) {
    const len = rows[i].json.length + 1;
    if (i > start && size + len > maxUncompressed) {
      await emit(start, i);
      start = i;
      size = 0;
    }
    size += len;
  }
  if (start < rows.length) await emit(start, rows.length);
  return out;
}
