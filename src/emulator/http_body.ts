/**
 * Reading request bodies within limits: the append's 4 MB wire cap (after compression), gzip,
 * deflate and zstd decoding, and small JSON bodies. Every failure is an {@link ApiError} (4xx).
 *
 * @module
 */
import { zstdDecompress } from "node:zlib";
import { ERROR_CODE } from "../snowflake/protocol.ts";
import { ApiError } from "./errors.ts";

/** Largest decoded append body; guards against compression bombs (4 MB wire × a ratio of 32). */
export const MAX_DECODED_BYTES = 128 * 1024 * 1024;
/** Decoded bytes allowed per byte on the wire (real NDJSON compresses about tenfold). */
export const MAX_EXPANSION = 32;
/**
 * Compressed bytes handed to the decoder at a time. The platform's DecompressionStream decodes
 * each input chunk whole, and deflate expands up to about 1,032-fold: fed the body at once, a
 * 4 MB bomb would become one 4 GB chunk before any cap is checked. 4 KB slices keep each decoded
 * chunk under about 4 MB, so decoding stops soon after the cap.
 */
const INFLATE_SLICE_BYTES = 4 * 1024;
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

function concat(chunks: Uint8Array[], total: number): Uint8Array {
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
 * Reads a stream into bytes, failing with 413 beyond `limit` bytes. A request body beyond it is
 * drained (so that the client sees the 413, not a reset); a decoder's output is cancelled.
 */
async function readCapped(
  stream: ReadableStream<Uint8Array> | null,
  limit: number,
  what: string,
): Promise<Uint8Array> {
  const { chunks, total } = await readChunks(stream, limit, what);
  return concat(chunks, total);
}

/** {@link readCapped} without joining the chunks into one buffer. */
async function readChunks(
  stream: ReadableStream<Uint8Array> | null,
  limit: number,
  what: string,
  overflow: "drain" | "cancel" = "drain",
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
      if (overflow === "drain") await drain(reader);
      else await reader.cancel().catch(() => {});
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

/** `bytes` as a stream of `size`-byte slices, each made only when the reader asks for it. */
function sliced(bytes: Uint8Array, size: number): ReadableStream<Uint8Array<ArrayBuffer>> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(at, at + size) as Uint8Array<ArrayBuffer>);
      at += size;
    },
  }, { highWaterMark: 0 });
}

/**
 * Reads an append body: at most `wireLimit` bytes as sent, then decoded per `Content-Encoding`
 * (gzip, deflate, zstd or none) into text of at most `decodedLimit` bytes (default: the wire
 * limit × {@link MAX_EXPANSION}, at most {@link MAX_DECODED_BYTES}).
 */
export async function readAppendBody(
  req: Request,
  wireLimit: number,
  decodedLimit = Math.min(MAX_DECODED_BYTES, wireLimit * MAX_EXPANSION),
): Promise<string> {
  const chunks = await readAppendChunks(req, wireLimit, decodedLimit);
  return utf8.decode(concat(chunks, chunks.reduce((n, c) => n + c.byteLength, 0)));
}

/**
 * {@link readAppendBody} without joining and decoding: the body's content as UTF-8 bytes in the
 * chunks it arrived in (64 KB from the server), each in an ArrayBuffer of its own that nothing
 * else refers to, so that the holder may free each at once by detaching it (see `channels.ts`).
 * Not joining them saves a copy of every body, and keeps the buffers at one modest size, which the
 * C allocator reuses well; blocks of a megabyte freed at different times fragment its heap.
 */
export async function readAppendChunks(
  req: Request,
  wireLimit: number,
  decodedLimit = Math.min(MAX_DECODED_BYTES, wireLimit * MAX_EXPANSION),
): Promise<Uint8Array<ArrayBuffer>[]> {
  const declared = declaredLength(req);
  if (declared !== undefined && declared > wireLimit) {
    if (req.body) await drain(req.body.getReader());
    throw tooLarge(wireLimit, "The request body");
  }
  const encoding = (req.headers.get("content-encoding") ?? "identity").trim().toLowerCase();
  if (encoding === "" || encoding === "identity") {
    return (await readChunks(req.body, wireLimit, "The request body")).chunks.map(owned);
  }
  const wire = await readCapped(req.body, wireLimit, "The request body");
  switch (encoding) {
    case "gzip":
    case "x-gzip":
    case "deflate": {
      const format = encoding === "deflate" ? "deflate" : "gzip";
      const stream = sliced(wire, INFLATE_SLICE_BYTES).pipeThrough(new DecompressionStream(format));
      const { chunks } = await readChunks(stream, decodedLimit, "The decompressed body", "cancel")
        .catch((e) => {
          if (e instanceof ApiError && e.status === 413) throw e;
          throw new ApiError(400, ERROR_CODE.badRequest, `The body is not valid ${encoding} data.`);
        });
      return chunks.map(owned);
    }
    case "zstd": {
      const bytes = await new Promise<Uint8Array>((resolve, reject) =>
        zstdDecompress(wire, { maxOutputLength: decodedLimit }, (err, out) => {
          if (err) {
            reject(
              /maxOutputLength|buffer/i.test(err.message)
                ? tooLarge(decodedLimit, "The decompressed body")
                : new ApiError(400, ERROR_CODE.badRequest, "The body is not valid zstd data."),
            );
          } else resolve(out);
        })
      );
      return [owned(bytes)];
    }
    default:
      throw new ApiError(
        415,
        ERROR_CODE.badRequest,
        `Content-Encoding ${encoding} is not supported (use gzip, zstd or none).`,
      );
  }
}

/** Reads a small body as text (413 beyond {@link MAX_SMALL_BODY_BYTES}). */
export async function readSmallText(req: Request): Promise<string> {
  const declared = declaredLength(req);
  if (declared !== undefined && declared > MAX_SMALL_BODY_BYTES) {
    if (req.body) await drain(req.body.getReader());
    throw tooLarge(MAX_SMALL_BODY_BYTES, "The request body");
  }
  return utf8.decode(await readCapped(req.body, MAX_SMALL_BODY_BYTES, "The request body"));
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
