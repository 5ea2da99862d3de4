/**
 * The Snowpipe Streaming v2 REST client for Named Channels: open (or reopen), append, bulk channel
 * status and drop (spec §3), with the scoped token from auth.ts, transient failures retried with
 * backoff, and every refusal turned into a typed error (errors.ts).
 *
 * The client holds no per-channel state: chaining continuation tokens (one append in flight per
 * channel) is the caller's job, because only the caller knows which rows a token covers.
 *
 * @module
 */
import {
  CHANNEL_OK_CODES,
  type ChannelStatusWire,
  ERROR_CODE,
  HEADER,
  PATHS,
  TOKEN_TYPE,
} from "./protocol.ts";
import {
  AuthError,
  ChannelInvalidError,
  classifyResponse,
  ForbiddenError,
  RetryableError,
  SnowflakeApiError,
} from "./errors.ts";
import { type HttpAnswer, HttpTransport } from "./http.ts";
import { KeyPairJwt } from "./jwt.ts";
import { type CallOptions, ScopedTokenManager } from "./auth.ts";
import { DEFAULT_RETRY_POLICY, type RetryPolicy, withRetry } from "./backoff.ts";
import { isLoopbackHost } from "./account.ts";
import {
  type AppendBody,
  type CompressionMode,
  encodeAppendBodies,
  type OutgoingRow,
} from "./ndjson.ts";

export type { CallOptions } from "./auth.ts";

/** A channel's status, normalised from either wire spelling. */
export interface ChannelState {
  database: string;
  schema: string;
  pipe: string;
  channel: string;
  /** `SUCCESS` (or `ACTIVE`) when healthy; otherwise an error code. */
  statusCode: string;
  /** Last committed offset token, or null when nothing was ever committed. */
  committedOffsetToken: string | null;
  rowsInserted: number;
  rowsParsed: number;
  /** Cumulative error rows (`rows_error_count`, or `rows_errors`). */
  rowsErrorCount: number;
  lastErrorOffsetUpperBound: string | null;
  lastErrorMessage: string | null;
  /** `last_error_timestamp` as ms since epoch (sent as a number or a timestamp string). */
  lastErrorAt: number | null;
  avgProcessingLatencyMs: number | null;
}

/** Result of opening a channel. */
export interface OpenedChannel {
  /** Token for the first append. */
  continuationToken: string;
  status: ChannelState;
}

/** Options of {@link StreamingClient.create}. */
export interface StreamingClientOptions {
  /** Account identifier (any documented form). */
  account: string;
  user: string;
  /** PKCS#8 PEM private key. */
  privateKeyPem: string;
  /** Control host base URL, e.g. `https://xy12345.snowflakecomputing.com` or an emulator URL. */
  controlUrl: URL | string;
  database: string;
  schema: string;
  /** Optional role for the scoped token. */
  role?: string;
  /** `auto` (default): gzip bodies ≥ 16 KiB unless the ingest host is loopback. */
  compression?: CompressionMode;
  retry?: RetryPolicy;
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Clock (ms since epoch); tests replace it. */
  now?: () => number;
  /** JWT lifetime and renewal age, seconds (defaults 59 and 54 minutes). */
  jwtLifetimeSeconds?: number;
  jwtRenewAfterSeconds?: number;
}

/** Options of an append. */
export interface AppendOptions extends CallOptions {
  /** Retry transient failures where the server certainly did not act (default true). */
  retry?: boolean;
}

function num(v: unknown): number {
  return typeof v === "number" && Number.isFinite(v) ? v : Number(v ?? 0) || 0;
}

function strOrNull(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return typeof v === "string" ? v : String(v);
}

/** `last_error_timestamp` as ms: numbers below 10^11 are taken as seconds. */
export function parseErrorTimestamp(v: unknown): number | null {
  if (v === null || v === undefined || v === "") return null;
  if (typeof v === "number") return v < 1e11 ? v * 1000 : v;
  if (typeof v === "string") {
    if (/^\d+(\.\d+)?$/.test(v.trim())) return parseErrorTimestamp(Number(v));
    const t = Date.parse(v.includes("T") || v.includes("Z") ? v : v.replace(" ", "T") + "Z");
    return Number.isNaN(t) ? null : t;
  }
  return null;
}

/** Normalises a wire `channel_status` (either field spelling, loose types). */
export function toChannelState(wire: Partial<ChannelStatusWire>, channel: string): ChannelState {
  return {
    database: String(wire.database_name ?? ""),
    schema: String(wire.schema_name ?? ""),
    pipe: String(wire.pipe_name ?? ""),
    channel: String(wire.channel_name ?? channel),
    statusCode: String(wire.channel_status_code ?? ""),
    committedOffsetToken: strOrNull(wire.last_committed_offset_token),
    rowsInserted: num(wire.rows_inserted),
    rowsParsed: num(wire.rows_parsed),
    rowsErrorCount: num(wire.rows_error_count ?? wire.rows_errors),
    lastErrorOffsetUpperBound: strOrNull(wire.last_error_offset_upper_bound),
    lastErrorMessage: strOrNull(wire.last_error_message),
    lastErrorAt: parseErrorTimestamp(wire.last_error_timestamp),
    avgProcessingLatencyMs: wire.snowflake_avg_processing_latency_ms === undefined ||
        wire.snowflake_avg_processing_latency_ms === null
      ? null
      : num(wire.snowflake_avg_processing_latency_ms),
  };
}

/** A client for one database and schema. */
export class StreamingClient {
  /** Database (as sent in paths). */
  readonly database: string;
  /** Schema (as sent in paths). */
  readonly schema: string;
  /** The key-pair JWT source (its issuer and fingerprint are useful for `check`). */
  readonly jwt: KeyPairJwt;
  readonly #auth: ScopedTokenManager;
  readonly #http: HttpTransport;
  readonly #retry: RetryPolicy;
  readonly #compression: CompressionMode | undefined;

  private constructor(opts: StreamingClientOptions, jwt: KeyPairJwt) {
    this.database = opts.database;
    this.schema = opts.schema;
    this.jwt = jwt;
    this.#retry = opts.retry ?? DEFAULT_RETRY_POLICY;
    this.#compression = opts.compression;
    this.#http = new HttpTransport({ fetch: opts.fetch, timeoutMs: opts.timeoutMs });
    this.#auth = new ScopedTokenManager({
      http: this.#http,
      controlUrl: new URL(opts.controlUrl),
      jwt,
      role: opts.role,
      retry: this.#retry,
      now: opts.now,
    });
  }

  /** Creates a client; fails fast on an unusable private key. Makes no network call. */
  static async create(opts: StreamingClientOptions): Promise<StreamingClient> {
    const jwt = await KeyPairJwt.create({
      account: opts.account,
      user: opts.user,
      privateKeyPem: opts.privateKeyPem,
      lifetimeSeconds: opts.jwtLifetimeSeconds,
      renewAfterSeconds: opts.jwtRenewAfterSeconds,
      now: opts.now,
    });
    return new StreamingClient(opts, jwt);
  }

  /** The ingest host's base URL (discovered on first use). */
  ingestUrl(opts: CallOptions = {}): Promise<URL> {
    return this.#auth.ingestUrl(opts);
  }

  /** Authenticates end to end: hostname discovery and a scoped token. */
  async authenticate(opts: CallOptions = {}): Promise<{ ingestHost: string }> {
    await this.#auth.token(opts);
    return { ingestHost: await this.#auth.ingestHost(opts) };
  }

  /**
   * Opens or reopens `channel` on `pipe`. Reopening bumps the channel's client sequencer (older
   * continuation tokens go stale) and discards uncommitted rows; the answer carries the last
   * committed offset token. A 200 with an unhealthy status code is a failure.
   */
  async openChannel(
    pipe: string,
    channel: string,
    opts: CallOptions & { offsetToken?: string } = {},
  ): Promise<OpenedChannel> {
    const what = `open channel ${channel} on pipe ${pipe}`;
    const body = opts.offsetToken === undefined
      ? {}
      : { offset_token: opts.offsetToken, fail_on_uncommitted_rows: false };
    const answer = await this.#ingestCall(
      "PUT",
      PATHS.channel(this.database, this.schema, pipe, channel),
      { body: JSON.stringify(body), contentType: "application/json" },
      what,
      opts,
      undefined,
      { field: "next_continuation_token", type: "string" },
    );
    const b = answer.body as { next_continuation_token: string; channel_status?: unknown };
    const status = toChannelState(
      (b.channel_status ?? {}) as Partial<ChannelStatusWire>,
      channel,
    );
    if (!CHANNEL_OK_CODES.has(status.statusCode)) {
      const detail = `${what}: channel status ${status.statusCode || "(none)"}`;
      if (
        status.statusCode === ERROR_CODE.pipeDoesNotExist ||
        status.statusCode === ERROR_CODE.tableDoesNotExist
      ) {
        throw new SnowflakeApiError(detail, answer.status, status.statusCode);
      }
      throw new ChannelInvalidError(detail, answer.status, status.statusCode);
    }
    return { continuationToken: b.next_continuation_token, status };
  }

  /** Encodes rows into request bodies for this target (compressed unless loopback). */
  async prepareAppend(rows: readonly OutgoingRow[], opts: CallOptions = {}): Promise<AppendBody[]> {
    let mode = this.#compression;
    if (!mode) mode = isLoopbackHost((await this.ingestUrl(opts)).hostname) ? "never" : "auto";
    return await encodeAppendBodies(rows, { compression: mode });
  }

  /**
   * Appends one body with `continuationToken`; returns the next token. Only failures where the
   * server certainly did not act (429, 503, …) are retried here: after any other transient
   * failure the outcome is unknown, so the {@link RetryableError} is passed on and the caller
   * should reopen the channel and resume from the committed offset.
   */
  async appendRows(
    pipe: string,
    channel: string,
    continuationToken: string,
    body: AppendBody,
    opts: AppendOptions = {},
  ): Promise<string> {
    const what = `append rows ${body.firstId}..${body.lastId} to channel ${channel}`;
    const query = new URLSearchParams({
      startOffsetToken: String(body.firstId),
      endOffsetToken: String(body.lastId),
      continuationToken,
      requestId: crypto.randomUUID(),
    });
    const headers: Record<string, string> = {};
    if (body.gzip) {
      headers[HEADER.contentEncoding] = "gzip";
      headers[HEADER.uncompressedLength] = String(body.uncompressedBytes);
    }
    const answer = await this.#ingestCall(
      "POST",
      `${PATHS.appendRows(this.database, this.schema, pipe, channel)}?${query}`,
      { body: body.bytes, contentType: "application/x-ndjson", headers },
      what,
      opts,
      opts.retry === false ? () => false : (e) => e.notProcessed,
    );
    const b = answer.body as { next_continuation_token?: unknown; status_code?: unknown };
    if (b && typeof b === "object" && b.status_code !== undefined && num(b.status_code) !== 0) {
      throw new SnowflakeApiError(`${what}: status_code ${b.status_code}`, answer.status);
    }
    // Not retried here either way: an append whose outcome is unknown is passed on.
    if (!carriesField(b, "next_continuation_token", "string")) {
      throw incompleteAnswer(what, "next_continuation_token", answer.status);
    }
    return b.next_continuation_token as string;
  }

  /** Status of `channels` on `pipe`; channels the service does not know are absent. */
  async channelStatus(
    pipe: string,
    channels: readonly string[],
    opts: CallOptions = {},
  ): Promise<Map<string, ChannelState>> {
    const what = `bulk channel status on pipe ${pipe}`;
    const answer = await this.#ingestCall(
      "POST",
      PATHS.bulkChannelStatus(this.database, this.schema, pipe),
      { body: JSON.stringify({ channel_names: channels }), contentType: "application/json" },
      what,
      opts,
      undefined,
      { field: "channel_statuses", type: "object" },
    );
    const b = answer.body as { channel_statuses: object };
    const out = new Map<string, ChannelState>();
    for (const [name, wire] of Object.entries(b.channel_statuses as Record<string, unknown>)) {
      if (wire && typeof wire === "object") {
        out.set(name, toChannelState(wire as Partial<ChannelStatusWire>, name));
      }
    }
    return out;
  }

  /** Drops `channel` and its offset token. */
  async dropChannel(pipe: string, channel: string, opts: CallOptions = {}): Promise<void> {
    await this.#ingestCall(
      "DELETE",
      PATHS.channel(this.database, this.schema, pipe, channel),
      {},
      `drop channel ${channel} on pipe ${pipe}`,
      opts,
    );
  }

  /**
   * A call to the ingest host with the scoped token. A 401 re-exchanges the token and tries once
   * more; a second 401 is an {@link AuthError}. 403 is a {@link ForbiddenError}. Transient failures
   * accepted by `retryIf` are retried with backoff, and so is a success answer without the field it
   * `carries`.
   */
  async #ingestCall(
    method: "PUT" | "POST" | "DELETE",
    pathAndQuery: string,
    req: { body?: BodyInit; contentType?: string; headers?: Record<string, string> },
    what: string,
    opts: CallOptions,
    retryIf?: (e: RetryableError) => boolean,
    carries?: { field: string; type: "string" | "object" },
  ): Promise<HttpAnswer> {
    const base = await this.#auth.ingestUrl(opts);
    const url = new URL(pathAndQuery, base);
    return await withRetry(async () => {
      for (let attempt = 0;; attempt++) {
        const token = await this.#auth.token(opts);
        const headers: Record<string, string> = {
          [HEADER.authorization]: `Bearer ${token}`,
          [HEADER.tokenType]: TOKEN_TYPE.oauth,
          ...req.headers,
        };
        if (req.contentType) headers[HEADER.contentType] = req.contentType;
        const answer = await this.#http.send(
          { method, url, headers, body: req.body, signal: opts.signal },
          what,
        );
        if (answer.status >= 200 && answer.status < 300) {
          if (carries && !carriesField(answer.body, carries.field, carries.type)) {
            throw incompleteAnswer(what, carries.field, answer.status);
          }
          return answer;
        }
        const err = classifyResponse(what, answer.status, answer.body, answer.headers);
        if (err instanceof AuthError) {
          this.#auth.invalidate(token);
          if (attempt === 0) continue;
          throw new AuthError(
            `${err.message}. The ingest host refused a freshly exchanged scoped token: check the ` +
              `user's role and that the key pair is registered (fingerprint ${this.jwt.fingerprint})`,
            err.status,
            err.code,
          );
        }
        if (err instanceof ForbiddenError) {
          throw new ForbiddenError(
            `${err.message}. ${this.jwt.subject} lacks a privilege on ${this.database}.` +
              `${this.schema}: grant what \`liftline setup\` prints (OPERATE on the pipes, ` +
              `INSERT on the tables, USAGE on database and schema)`,
            err.code,
          );
        }
        throw err;
      }
    }, { policy: this.#retry, signal: opts.signal, onRetry: opts.onRetry, retryIf });
  }
}

/**
 * A success answer without what it must carry (cut short or garbled on its way, by a proxy say):
 * the request may or may not have been acted on, as when the answer is lost, so it is retried
 * like a dropped connection (an append's channel is reopened and resumes from its committed
 * offset), never taken for a refusal that stops the stream.
 */
function incompleteAnswer(what: string, field: string, status: number): RetryableError {
  return new RetryableError(`${what}: answer without ${field}`, "network", { status });
}

/** True when `body` is an object whose `field` is a non-null value of `type`. */
function carriesField(body: unknown, field: string, type: "string" | "object"): boolean {
  if (!body || typeof body !== "object") return false;
  const value = (body as Record<string, unknown>)[field];
  return value !== null && typeof value === type;
}
