/**
 * Reading request bodies within limits: the append's 4 MB wire cap (after compression), gzip,
 * deflate and zstd decoding, and small JSON bodies. Every failure is an {@link ApiError} (4xx).
 *
 * @module
 */
import {
  constants as zlibConstants,
  gunzipSync,
  inflateSync,
  zstdCompressSync,
  zstdDecompressSync,
} from "node:zlib";
import { ERROR_CODE } from "../snowflake/protocol.ts";
import { ApiError } from "./errors.ts";

/** Largest decoded append body; guards against compression bombs (4 MB wire × a ratio of 32). */
export const MAX_DECODED_BYTES = 128 * 1024 * 1024;
/** Decoded bytes allowed per byte on the wire (real NDJSON compresses about tenfold). */
export const MAX_EXPANSION = 32;
/** Largest body of the small JSON calls (open, status, drop, token). */
export const MAX_SMALL_BODY_BYTES = 1024 * 1024;
/** A refused body is still read (up to this much) so that the client sees the 413, not a reset. */
const DRAIN_LIMIT = 64 * 1024 * 1024;

function tooLarge(limit: number, what: string): ApiError {
  return new ApiError(
    413,
    ERROR_CODE.payloadTooLarge,
    `${what} is larger than the limit of ${limit} bytes.`,
  );
}

async function drain(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  let n = 0;
  try {
    while (n < DRAIN_LIMIT) {
      const { done, value } = await reader.read();
      if (done) return;
      n += value.byteLength;
    }
    await reader.cancel();
  } catch {
    // The client went away; nothing to answer.
  }
}

function concat<T extends ArrayBufferLike>(
  chunks: readonly Uint8Array<T>[],
  total: number,
): Uint8Array<T | ArrayBuffer> {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/**
 * Reads a stream's chunks, failing with 413 beyond `limit` bytes. The rest of a body beyond it is
 * drained, so that the client sees the 413, not a reset.
 */
async function readChunks(
  stream: ReadableStream<Uint8Array> | null,
  limit: number,
  what: string,
): Promise<{ chunks: Uint8Array[]; total: number }> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (!stream) return { chunks, total };
  const reader = stream.getReader();
  while (true) {
    let part: ReadableStreamReadResult<Uint8Array>;
    try {
      part = await reader.read();
    } catch (e) {
      throw new ApiError(
        400,
        ERROR_CODE.badRequest,
        `${what} could not be read: ${(e as Error).message}`,
      );
    }
    if (part.done) break;
    total += part.value.byteLength;
    if (total > limit) {
      await drain(reader);
      throw tooLarge(limit, what);
    }
    chunks.push(part.value);
  }
  return { chunks, total };
}

function declaredLength(req: Request): number | undefined {
  const v = req.headers.get("content-length");
  if (v === null) return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

const utf8 = new TextDecoder();

/**
 * `bytes` in an ArrayBuffer of exactly its size that nothing else uses: a stream's chunk or a
 * pooled buffer may be a view into a larger one, which is then copied out.
 */
function owned(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer && bytes.byteOffset === 0 &&
      bytes.byteLength === bytes.buffer.byteLength
    ? bytes as Uint8Array<ArrayBuffer>
    : bytes.slice();
}

/** How an append body is encoded on the wire (its `Content-Encoding`). */
export type BodyEncoding = "identity" | "gzip" | "deflate" | "zstd";

/**
 * An append body as held until its commit: compressed, and decoded only when its rows are read.
 * Bodies wait out the commit delay, and at full speed that is tens of megabytes of NDJSON; held
 * compressed they take about a fifth of it.
 */
export interface AppendPayload {
  /** The bytes, in chunks that each own their ArrayBuffer (see `channels.ts`). */
  readonly bytes: readonly Uint8Array<ArrayBuffer>[];
  /** How `bytes` decode into the NDJSON. */
  readonly encoding: BodyEncoding;
  /** Size of the decoded NDJSON, checked against the limit when it arrived. */
  readonly decodedBytes: number;
}

function encodingOf(req: Request): BodyEncoding {
  const encoding = (req.headers.get("content-encoding") ?? "identity").trim().toLowerCase();
  switch (encoding) {
    case "":
    case "identity":
      return "identity";
    case "gzip":
    case "x-gzip":
      return "gzip";
    case "deflate":
    case "zstd":
      return encoding;
    default:
      throw new ApiError(
        415,
        ERROR_CODE.badRequest,
        `Content-Encoding ${encoding} is not supported (use gzip, zstd or none).`,
      );
  }
}

/** What node:zlib's one-call decoders answer with `info: true`. */
interface Decoded {
  buffer: Uint8Array;
  /** `bytesWritten`: how much of the input the decoder consumed. */
  engine: { bytesWritten: number };
}

function decodeOnce(
  encoding: Exclude<BodyEncoding, "identity">,
  input: Uint8Array,
  maxOutputLength: number,
): Decoded {
  const options = { maxOutputLength: Math.max(1, maxOutputLength), info: true };
  const out = encoding === "gzip"
    ? gunzipSync(input, options)
    : encoding === "deflate"
    ? inflateSync(input, options)
    : zstdDecompressSync(input, options);
  return out as unknown as Decoded;
}

/**
 * Decodes compressed bytes, stopping as soon as the output passes `limit` (node:zlib checks it as
 * it goes, so a bomb costs milliseconds, not its expansion). Every byte must be used: zstd's frames
 * are decoded one after the other (node:zlib stops after the first, and the rows of the others
 * would be lost while the offset token moved past them), and anything after a deflate stream is
 * refused. Fails with 400 for bytes that are not `encoding`, 413 beyond the limit.
 */
function decode(
  encoding: Exclude<BodyEncoding, "identity">,
  wire: Uint8Array,
  limit: number,
): Uint8Array<ArrayBuffer> {
  const bad = (why = "") =>
    new ApiError(400, ERROR_CODE.badRequest, `The body is not valid ${encoding} data${why}.`);
  const parts: Uint8Array[] = [];
  let total = 0;
  let at = 0;
  do {
    let r: Decoded;
    try {
      r = decodeOnce(encoding, at === 0 ? wire : wire.subarray(at), limit - total);
    } catch (e) {
      if (e instanceof RangeError) throw tooLarge(limit, "The decompressed body");
      throw bad();
    }
    parts.push(r.buffer);
    total += r.buffer.byteLength;
    if (total > limit) throw tooLarge(limit, "The decompressed body");
    const used = r.engine.bytesWritten;
    if (!(used > 0)) throw bad();
    at += used;
    if (at < wire.length && encoding !== "zstd") throw bad(": bytes follow its end");
  } while (at < wire.length);
  return owned(concat(parts, total));
}

/** The request body as sent, at most `wireLimit` bytes (413 beyond, the rest drained). */
async function readWire(req: Request, wireLimit: number): Promise<Uint8Array[]> {
  const declared = declaredLength(req);
  if (declared !== undefined && declared > wireLimit) {
    if (req.body) await drain(req.body.getReader());
    throw tooLarge(wireLimit, "The request body");
  }
  return (await readChunks(req.body, wireLimit, "The request body")).chunks;
}

const sizeOf = (chunks: readonly Uint8Array[]) => chunks.reduce((n, c) => n + c.byteLength, 0);

/**
 * Reads an append body: at most `wireLimit` bytes as sent, decoding per `Content-Encoding` (gzip,
 * deflate, zstd or none) to at most `decodedLimit` bytes (default: the wire limit ×
 * {@link MAX_EXPANSION}, at most {@link MAX_DECODED_BYTES}). A compressed body is decoded once
 * here, so that a bad or oversized one is refused now rather than at its commit, and kept as sent;
 * {@link readDecoded} decodes it again when the commit reads it.
 */
export async function readAppendPayload(
  req: Request,
  wireLimit: number,
  decodedLimit = Math.min(MAX_DECODED_BYTES, wireLimit * MAX_EXPANSION),
): Promise<AppendPayload> {
  const chunks = await readWire(req, wireLimit);
  const encoding = encodingOf(req);
  const size = sizeOf(chunks);
  if (encoding === "identity") return { bytes: chunks.map(owned), encoding, decodedBytes: size };
  const wire = owned(concat(chunks, size));
  const decoded = decode(encoding, wire, decodedLimit);
  const decodedBytes = decoded.byteLength;
  // Megabytes that would otherwise wait for the garbage collector.
  decoded.buffer.transfer(0);
  return { bytes: [wire], encoding, decodedBytes };
}

/**
 * An uncompressed body at least this large is compressed to be held (zstd at its fastest level:
 * about 700 MB/s in and 900 MB/s out on this machine kind, a few percent of a core at full speed).
 */
const HOLD_COMPRESSED_FROM_BYTES = 64 * 1024;

/**
 * The payload as it is best held for a while: an uncompressed one of some size compressed (its
 * own buffers then freed), anything else as it is.
 */
export function compactPayload(payload: AppendPayload): AppendPayload {
  if (payload.encoding !== "identity" || payload.decodedBytes < HOLD_COMPRESSED_FROM_BYTES) {
    return payload;
  }
  const joined = concat(payload.bytes, payload.decodedBytes);
  const packed = zstdCompressSync(joined, ZSTD_FASTEST);
  // The body's chunks, and the copy that joined them (a body over HTTP comes in 64 KB chunks).
  for (const c of [...payload.bytes, joined]) if (!c.buffer.detached) c.buffer.transfer(0);
  return { bytes: [owned(packed)], encoding: "zstd", decodedBytes: payload.decodedBytes };
}

const ZSTD_FASTEST = { params: { [zlibConstants.ZSTD_c_compressionLevel]: 1 } };

/** Decoded bytes handed to the parser at a time: each becomes a string the young generation frees. */
const PARSE_SLICE_BYTES = 64 * 1024;

/**
 * Hands `read` the payload's NDJSON bytes in slices of {@link PARSE_SLICE_BYTES}: its own chunks
 * when it is held uncompressed, else views of a decoded copy, which is freed as soon as `read`
 * returns (megabytes that would otherwise wait for a collection).
 */
export function readDecoded<T>(
  payload: AppendPayload,
  read: (slices: readonly Uint8Array<ArrayBuffer>[]) => T,
): T {
  if (payload.encoding === "identity") return read(payload.bytes);
  const decoded = decode(
    payload.encoding,
    concat(payload.bytes, sizeOf(payload.bytes)),
    payload.decodedBytes,
  );
  try {
    const slices: Uint8Array<ArrayBuffer>[] = [];
    for (let at = 0; at < decoded.byteLength; at += PARSE_SLICE_BYTES) {
      slices.push(decoded.subarray(at, at + PARSE_SLICE_BYTES));
    }
    return read(slices);
  } finally {
    decoded.buffer.transfer(0);
  }
}

/** An uncompressed payload of NDJSON bytes, for bodies built in process (benchmarks, tests). */
export function plainPayload(...bytes: Uint8Array<ArrayBuffer>[]): AppendPayload {
  return { bytes, encoding: "identity", decodedBytes: sizeOf(bytes) };
}

/**
 * Reads a whole body as text, decoded like an append's (the SQL API's requests come gzipped from
 * snowflake-sdk): at most `wireLimit` bytes as sent and `decodedLimit` decoded.
 */
export async function readAppendBody(
  req: Request,
  wireLimit: number,
  decodedLimit = Math.min(MAX_DECODED_BYTES, wireLimit * MAX_EXPANSION),
): Promise<string> {
  const chunks = await readWire(req, wireLimit);
  const encoding = encodingOf(req);
  const bytes = concat(chunks, sizeOf(chunks));
  return utf8.decode(encoding === "identity" ? bytes : decode(encoding, bytes, decodedLimit));
}

/** Reads a small body as text (413 beyond {@link MAX_SMALL_BODY_BYTES}). */
export async function readSmallText(req: Request): Promise<string> {
  const declared = declaredLength(req);
  if (declared !== undefined && declared > MAX_SMALL_BODY_BYTES) {
    if (req.body) await drain(req.body.getReader());
    throw tooLarge(MAX_SMALL_BODY_BYTES, "The request body");
  }
  const { chunks, total } = await readChunks(req.body, MAX_SMALL_BODY_BYTES, "The request body");
  return utf8.decode(concat(chunks, total));
}

/**
 * Reads a small JSON object body. An empty body is `{}` (the open and drop bodies are optional);
 * anything but a JSON object is a 400.
 */
export async function readJsonObject(req: Request): Promise<Record<string, unknown>> {
  const text = await readSmallText(req);
  if (text.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ApiError(400, ERROR_CODE.badRequest, "The request body is not valid JSON.");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new ApiError(400, ERROR_CODE.badRequest, "The request body must be a JSON object.");
  }
  return value as Record<string, unknown>;
}
