/**
 * The Snowpipe Streaming v2 REST endpoints of the emulator (docs/emulator.md lists them with their
 * sources). One server plays both the account ("control") host and the ingest host.
 *
 * @module
 */
import type { Context, Hono } from "hono";
import {
  ERROR_CODE,
  HEADER,
  JWT_BEARER_GRANT,
  MAX_APPEND_WIRE_BYTES,
  PATHS,
} from "../snowflake/protocol.ts";
import type { Logger } from "../log.ts";
import { AuthError, type EmulatorAuth, type Principal, type TokenKind } from "./auth.ts";
import type { StreamingService } from "./channels.ts";
import { ApiError } from "./errors.ts";
import { type FaultConfig, faultMiddleware } from "./faults.ts";
import { readAppendPayload, readJsonObject, readSmallText } from "./http_body.ts";
import type { Pipe } from "./pipe.ts";

/** What the streaming routes need. */
export interface StreamingRouteDeps {
  readonly auth: EmulatorAuth;
  readonly streaming: StreamingService;
  readonly faults: FaultConfig;
  readonly log: Logger;
  /** The server's own URL, for the hostname answer when a request has no Host header. */
  readonly url: () => string;
}

const BASE = "/v2/streaming";
const CHANNEL_PATH = `${BASE}/databases/:db/schemas/:schema/pipes/:pipe/channels/:channel`;
const APPEND_PATH = `${BASE}/data/databases/:db/schemas/:schema/pipes/:pipe/channels/:channel/rows`;
const PIPE_ACTION_PATH = `${BASE}/databases/:db/schemas/:schema/pipes/:pipeAction`;
const BULK_STATUS_SUFFIX = ":bulk-channel-status";
const MAX_CHANNEL_NAME = 1024;

/** Whether an Accept header admits a JSON answer (the service insists on `application/json`). */
function acceptsJson(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(",").some((part) => {
    const type = part.split(";")[0].trim().toLowerCase();
    // `*/*` (what curl and fetch send unless told otherwise) takes JSON too; no header at all is
    // refused, as Snowflake does.
    return type === "application/json" || type === "application/*" || type === "*/*";
  });
}

function bearerOf(c: Context): string | undefined {
  const h = c.req.header(HEADER.authorization);
  if (!h) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  if (!m) throw new AuthError("the Authorization header must be `Bearer <token>`");
  return m[1];
}

async function authenticate(
  auth: EmulatorAuth,
  c: Context,
  allowed: readonly TokenKind[],
): Promise<Principal> {
  const token = bearerOf(c);
  if (!token) throw new AuthError("missing Authorization: Bearer token");
  return await auth.verifyBearer(token, allowed);
}

function channelName(c: Context): string {
  const name = c.req.param("channel") ?? "";
  // deno-lint-ignore no-control-regex
  if (name === "" || name.length > MAX_CHANNEL_NAME || /[\u0000-\u001f]/.test(name)) {
    throw new ApiError(400, ERROR_CODE.badRequest, "The channel name is empty or invalid.");
  }
  return name;
}

function optionalBoolean(body: Record<string, unknown>, key: string): boolean | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") {
    throw new ApiError(400, ERROR_CODE.badRequest, `${key} must be true or false.`);
  }
  return v;
}

/** Registers the streaming endpoints, with fault injection and the Accept check in front. */
export function registerStreamingRoutes(app: Hono, deps: StreamingRouteDeps): void {
  const { auth, streaming } = deps;
  const faults = faultMiddleware(deps.faults, Math.random, deps.log);
  app.use(`${BASE}/*`, faults);
  app.use(PATHS.oauthToken, faults);
  app.use(`${BASE}/*`, async (c, next) => {
    const accept = c.req.header(HEADER.accept);
    if (!acceptsJson(accept)) {
      throw new ApiError(
        406,
        ERROR_CODE.unsupportedAccept,
        `Unsupported Accept header ${accept ? accept : "null"} is specified`,
      );
    }
    await next();
  });

  const pipeOf = (c: Context): Pipe =>
    streaming.resolvePipe(
      c.req.param("db") ?? "",
      c.req.param("schema") ?? "",
      c.req.param("pipe") ?? "",
    );

  app.get(PATHS.hostname, async (c) => {
    await authenticate(auth, c, ["keypair"]);
    // The Host header's authority reaches this same server from wherever the client is.
    const host = c.req.header("host") ?? new URL(deps.url()).host;
    return c.text(host);
  });

  app.post(PATHS.oauthToken, async (c) => {
    const form = new URLSearchParams(await readSmallText(c.req.raw));
    const grant = form.get("grant_type");
    if (grant !== JWT_BEARER_GRANT) {
      throw new ApiError(
        400,
        ERROR_CODE.badRequest,
        `grant_type must be ${JWT_BEARER_GRANT}`,
      );
    }
    // The JWT may come as a bearer header (tutorial) or as the form's `assertion` (Redpanda).
    const token = bearerOf(c) ?? form.get("assertion") ?? undefined;
    if (!token) throw new AuthError("missing key-pair JWT (Authorization: Bearer or assertion)");
    const principal = await auth.verifyBearer(token, ["keypair"]);
    const parts = (form.get("scope") ?? "").split(/\s+/).filter((p) => p !== "");
    const host = parts.find((p) => !p.startsWith("session:role:"));
    const role = parts.find((p) => p.startsWith("session:role:"))?.slice("session:role:".length);
    if (!host) {
      throw new ApiError(400, ERROR_CODE.badRequest, "scope must name the ingest host");
    }
    const scoped = await auth.issueScopedToken({ ...principal, scope: host, role });
    // Live clients read the raw body as the token.
    return c.text(scoped);
  });

  app.put(CHANNEL_PATH, async (c) => {
    await authenticate(auth, c, ["scoped"]);
    const pipe = pipeOf(c);
    const name = channelName(c);
    const body = await readJsonObject(c.req.raw);
    const offset = body.offset_token;
    if (offset !== undefined && offset !== null && typeof offset !== "string") {
      throw new ApiError(400, ERROR_CODE.badRequest, "offset_token must be a string.");
    }
    return c.json(
      await streaming.open(pipe, name, {
        offsetToken: offset as string | null | undefined,
        failOnUncommittedRows: optionalBoolean(body, "fail_on_uncommitted_rows"),
      }),
    );
  });

  app.delete(CHANNEL_PATH, async (c) => {
    await authenticate(auth, c, ["scoped"]);
    const pipe = pipeOf(c);
    const name = channelName(c);
    const body = await readJsonObject(c.req.raw);
    await streaming.drop(pipe, name, optionalBoolean(body, "fail_on_uncommitted_rows") ?? false);
    return c.json({});
  });

  app.post(APPEND_PATH, async (c) => {
    await authenticate(auth, c, ["scoped"]);
    const pipe = pipeOf(c);
    const name = channelName(c);
    const q = (k: string) => c.req.query(k);
    const continuation = q("continuationToken");
    if (!continuation) {
      throw new ApiError(400, ERROR_CODE.badRequest, "continuationToken is required.");
    }
    const start = q("startOffsetToken");
    const endOffset = q("endOffsetToken") ?? q("offsetToken");
    if (start !== undefined && start !== "" && endOffset === undefined) {
      throw new ApiError(
        400,
        ERROR_CODE.badRequest,
        "endOffsetToken is required with startOffsetToken.",
      );
    }
    const body = await readAppendPayload(c.req.raw, MAX_APPEND_WIRE_BYTES);
    // The token check and the buffering happen before the append's first await, so two racing
    // appends with one token cannot both be accepted.
    return c.json(await streaming.append(pipe, name, continuation, endOffset, body));
  });

  app.post(PIPE_ACTION_PATH, async (c) => {
    const action = c.req.param("pipeAction") ?? "";
    if (!action.endsWith(BULK_STATUS_SUFFIX)) {
      throw new ApiError(404, ERROR_CODE.badRequest, `No such pipe operation: ${action}`);
    }
    // Served on both planes: the scoped token (tutorial) or the key-pair JWT (Redpanda).
    await authenticate(auth, c, ["keypair", "scoped"]);
    const pipe = streaming.resolvePipe(
      c.req.param("db") ?? "",
      c.req.param("schema") ?? "",
      action.slice(0, -BULK_STATUS_SUFFIX.length),
    );
    const body = await readJsonObject(c.req.raw);
    const names = body.channel_names;
    if (!Array.isArray(names) || names.some((n) => typeof n !== "string")) {
      throw new ApiError(400, ERROR_CODE.badRequest, "channel_names must be a list of strings.");
    }
    return c.json(streaming.status(pipe, names as string[]));
  });
}
