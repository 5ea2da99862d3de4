/**
 * A tiny scripted Snowflake for client tests: records every request and answers with whatever the
 * test's handler returns. Listens on an ephemeral loopback port.
 */

/** A request as the fake saw it. */
export interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Headers;
  body: Uint8Array<ArrayBuffer>;
  text: string;
}

/** A running fake. */
export interface FakeSnowflake {
  url: string;
  port: number;
  seen: Seen[];
  close(): Promise<void>;
}

/** Starts a fake whose answers come from `handler`. */
export function startFake(
  handler: (req: Seen) => Response | Promise<Response>,
): FakeSnowflake {
  const seen: Seen[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const url = new URL(req.url);
    const body = new Uint8Array(await req.arrayBuffer());
    const s: Seen = {
      method: req.method,
      path: decodeURIComponent(url.pathname),
      query: url.searchParams,
      headers: req.headers,
      body,
      text: new TextDecoder().decode(body),
    };
    seen.push(s);
    return await handler(s);
  });
  const port = server.addr.port;
  return { url: `http://127.0.0.1:${port}`, port, seen, close: () => server.shutdown() };
}

/** A JSON response. */
export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
}

/** A healthy channel status for `channel` with the given committed offset token. */
export function channelStatus(channel: string, committed: string | null, extra = {}) {
  return {
    database_name: "DB",
    schema_name: "SC",
    pipe_name: "P",
    channel_name: channel,
    channel_status_code: "SUCCESS",
    last_committed_offset_token: committed,
    created_on_ms: 1,
    rows_inserted: 0,
    rows_parsed: 0,
    rows_error_count: 0,
    last_error_offset_upper_bound: null,
    last_error_message: null,
    last_error_timestamp: null,
    snowflake_avg_processing_latency_ms: 0,
    ...extra,
  };
}
