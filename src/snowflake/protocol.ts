/**
 * Wire facts of the Snowpipe Streaming v2 REST API, shared by the client and the embedded emulator
 * so that the two cannot drift apart silently. Source: Snowflake's "Snowpipe Streaming REST API
 * endpoints" page,
 * https://docs.snowflake.com/user-guide/snowpipe-streaming/snowpipe-streaming-high-performance-rest-api
 *
 * @module
 */

/** Hard cap of one append request as sent on the wire (after compression): 4 MB. */
export const MAX_APPEND_WIRE_BYTES = 4 * 1024 * 1024;

/** Header names. */
export const HEADER = {
  authorization: "Authorization",
  tokenType: "X-Snowflake-Authorization-Token-Type",
  accept: "Accept",
  contentType: "Content-Type",
  contentEncoding: "Content-Encoding",
  userAgent: "User-Agent",
  uncompressedLength: "x-snowflake-uncompressed-content-length",
} as const;

/** `X-Snowflake-Authorization-Token-Type` values. */
export const TOKEN_TYPE = { keypairJwt: "KEYPAIR_JWT", oauth: "OAUTH" } as const;

/** Grant type of the scoped-token exchange. */
export const JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/** Stable error codes (the `code` field of error bodies, or `channel_status_code`). */
export const ERROR_CODE = {
  staleContinuationToken: "STALE_CONTINUATION_TOKEN_SEQUENCER",
  channelDoesNotExist: "ERR_CHANNEL_DOES_NOT_EXIST_OR_IS_NOT_AUTHORIZED",
  channelHasUncommittedData: "ERR_CHANNEL_HAS_UNCOMMITTED_DATA",
  openChannelInProgress: "ERR_OPEN_CHANNEL_IN_PROGRESS",
  generalRetry: "ERR_GENERAL_EXCEPTION_RETRY_REQUEST",
  pipeDoesNotExist: "ERR_PIPE_DOES_NOT_EXIST_OR_NOT_AUTHORIZED",
  databaseDoesNotExist: "ERR_DATABASE_DOES_NOT_EXIST_OR_NOT_AUTHORIZED",
  schemaDoesNotExist: "ERR_SCHEMA_DOES_NOT_EXIST_OR_NOT_AUTHORIZED",
  tableDoesNotExist: "ERR_TABLE_DOES_NOT_EXIST_NOT_AUTHORIZED",
  channelInvalidRowSequencer: "ERR_CHANNEL_HAS_INVALID_ROW_SEQUENCER",
  channelInvalidClientSequencer: "ERR_CHANNEL_HAS_INVALID_CLIENT_SEQUENCER",
  channelMustBeReopened: "ERR_CHANNEL_MUST_BE_REOPENED",
  channelMustBeReopenedRowSeqGap: "ERR_CHANNEL_MUST_BE_REOPENED_DUE_TO_ROW_SEQ_GAP",
  unsupportedAccept: "391902",
  unauthorized: "ERR_UNAUTHORIZED",
  forbidden: "ERR_FORBIDDEN",
  payloadTooLarge: "ERR_PAYLOAD_TOO_LARGE",
  badRequest: "ERR_BAD_REQUEST",
} as const;

/** The healthy `channel_status_code`; the REST page's example says `ACTIVE`, also accepted. */
export const CHANNEL_OK_CODES: ReadonlySet<string> = new Set(["SUCCESS", "ACTIVE"]);

/** Channel status codes that mean "reopen and resume from the committed offset". */
export const FATAL_CHANNEL_CODES: ReadonlySet<string> = new Set([
  ERROR_CODE.pipeDoesNotExist,
  ERROR_CODE.tableDoesNotExist,
  ERROR_CODE.channelInvalidRowSequencer,
  ERROR_CODE.channelInvalidClientSequencer,
  ERROR_CODE.channelMustBeReopened,
  ERROR_CODE.channelMustBeReopenedRowSeqGap,
]);

const enc = encodeURIComponent;

/** Endpoint paths. Identifiers are sent as given (upper-case for unquoted identifiers). */
export const PATHS = {
  hostname: "/v2/streaming/hostname",
  oauthToken: "/oauth/token",
  channel: (db: string, schema: string, pipe: string, channel: string) =>
    `/v2/streaming/databases/${enc(db)}/schemas/${enc(schema)}/pipes/${enc(pipe)}/channels/${
      enc(channel)
    }`,
  appendRows: (db: string, schema: string, pipe: string, channel: string) =>
    `/v2/streaming/data/databases/${enc(db)}/schemas/${enc(schema)}/pipes/${enc(pipe)}/channels/${
      enc(channel)
    }/rows`,
  bulkChannelStatus: (db: string, schema: string, pipe: string) =>
    `/v2/streaming/databases/${enc(db)}/schemas/${enc(schema)}/pipes/${
      enc(pipe)
    }:bulk-channel-status`,
} as const;

/** The `channel_status` object of open responses and of bulk status entries. */
export interface ChannelStatusWire {
  database_name: string;
  schema_name: string;
  pipe_name: string;
  channel_name: string;
  channel_status_code: string;
  last_committed_offset_token: string | null;
  created_on_ms: number;
  rows_inserted: number;
  rows_parsed: number;
  rows_error_count: number;
  /** Older spelling of `rows_error_count` used by one doc section. */
  rows_errors?: number;
  last_error_offset_upper_bound: string | null;
  last_error_message: string | null;
  last_error_timestamp: string | number | null;
  snowflake_avg_processing_latency_ms: number;
}

/** 200 body of open channel. */
export interface OpenChannelResponse {
  next_continuation_token: string;
  channel_status: ChannelStatusWire;
}

/** 200 body of append rows. */
export interface AppendRowsResponse {
  next_continuation_token: string;
}

/** 200 body of bulk channel status. */
export interface BulkChannelStatusResponse {
  channel_statuses: Record<string, ChannelStatusWire>;
}

/** Documented error body. */
export interface ErrorBody {
  code: string;
  message: string;
}

/**
 * Extracts the stable error code from an error body: `code`, then `error_code`, then a bare JSON
 * string body (all three are seen from the live service).
 */
export function errorCodeOf(body: unknown): string | undefined {
  if (typeof body === "string") return body;
  if (body && typeof body === "object") {
    const b = body as Record<string, unknown>;
    if (typeof b.code === "string") return b.code;
    if (typeof b.code === "number") return String(b.code);
    if (typeof b.error_code === "string") return b.error_code;
  }
  return undefined;
}
