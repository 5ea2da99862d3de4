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

/** Reads a stream into bytes, failing with 413 beyond `limit` bytes. */
async function readCapped(
  stream: ReadableStream<Uint8Array> | null,
  limit: number,
  what: string,
): Promise<Uint8Array> {
  if (!stream) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
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
  return concat(chunks, total);
}

function declaredLength(req: Request): number | undefined {
  const v = req.headers.get("content-length");
  if (v === null) return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

const utf8 = new TextDecoder();

/**
 * Reads an append body: at most `wireLimit` bytes as sent, then decoded per `Content-Encoding`
 * (gzip, deflate, zstd or none) into text.
 */
export async function readAppendBody(req: Request, wireLimit: number): Promise<string> {
  const declared = declaredLength(req);
  if (declared !== undefined && declared > wireLimit) {
    if (req.body) await drain(req.body.getReader());
    throw tooLarge(wireLimit, "The request body");
  }
  const wire = await readCapped(req.body, wireLimit, "The request body");
  const encoding = (req.headers.get("content-encoding") ?? "identity").trim().toLowerCase();
  switch (encoding) {
    case "":
    case "identity":
      return utf8.decode(wire);
    case "gzip":
    case "x-gzip":
    case "deflate": {
      const format = encoding === "deflate" ? "deflate" : "gzip";
      const stream = new Blob([wire as Uint8Array<ArrayBuffer>]).stream()
        .pipeThrough(new DecompressionStream(format));
      const bytes = await readCapped(stream, MAX_DECODED_BYTES, "The decompressed body")
        .catch((e) => {
          if (e instanceof ApiError && e.status === 413) throw e;
          throw new ApiError(400, ERROR_CODE.badRequest, `The body is not valid ${encoding} data.`);
        });
      return utf8.decode(bytes);
    }
    case "zstd": {
      const bytes = await new Promise<Uint8Array>((resolve, reject) =>
        zstdDecompress(wire, { maxOutputLength: MAX_DECODED_BYTES }, (err, out) => {
          if (err) {
            reject(
              /maxOutputLength|buffer/i.test(err.message)
                ? tooLarge(MAX_DECODED_BYTES, "The decompressed body")
                : new ApiError(400, ERROR_CODE.badRequest, "The body is not valid zstd data."),
            );
          } else resolve(out);
        })
      );
      return utf8.decode(bytes);
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
