/**
 * Hostile HTTP requests, and a sender that records how the server met each one.
 *
 * A request is data ({@link HostileRequest}): sent with `fetch` (one new connection each), or as
 * raw bytes over TCP for what `fetch` refuses to send (bad methods and versions, invalid UTF-8,
 * header floods, smuggling framings) and for slow clients that dribble their bytes. The
 * generators below build families of them; the tests pick the families for a server, and anyone
 * can add a family or a case here.
 *
 * What a server owes every request: an answer below 500 (or a 5xx the request documents, such as
 * `/readyz`'s 503), or a clean close of the connection. Never a reset before answering, never
 * silence.
 *
 * @module
 */

const enc = new TextEncoder();

/** A request sent with fetch on a connection of its own. */
export interface FetchWire {
  readonly kind: "fetch";
  readonly method: string;
  /** Path and query, sent as the URL parser leaves them (it resolves `..` and encodes `<`). */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array<ArrayBuffer>;
}

/** Raw bytes over TCP. */
export interface RawWire {
  readonly kind: "raw";
  /** Written in order, `gapMs` apart. */
  readonly chunks: readonly Uint8Array[];
  readonly gapMs?: number;
  /** Half-close after the last chunk (the client says it will send nothing more). */
  readonly closeWrite?: boolean;
}

/** How a request goes on the wire. */
export type Wire = FetchWire | RawWire;

/** One hostile request. */
export interface HostileRequest {
  /** The family, for the summary: `bad-jwt`, `gzip-bomb`, `header-flood`, … */
  readonly category: string;
  /** What this one does. */
  readonly name: string;
  /** The wire form, or a function that prepares it (e.g. opens a channel first). */
  readonly wire: Wire | (() => Promise<Wire>);
  /** Statuses of 500 or more that are a documented answer here (e.g. 503 from /readyz). */
  readonly allowedServerErrors?: readonly number[];
}

/** How the server met one request. */
export interface Outcome {
  readonly request: HostileRequest;
  /** `answered` with a status, `closed` cleanly without one, or one of the failures. */
  readonly end: "answered" | "closed" | "reset" | "timeout" | "failed";
  readonly status: number | null;
  readonly detail: string;
  /** Milliseconds from the first byte sent to the outcome. */
  readonly ms: number;
}

/** Whether the server met the request as it must. */
export function acceptable(o: Outcome): boolean {
  if (o.end === "closed") return true;
  if (o.end !== "answered" || o.status === null) return false;
  return o.status < 500 || (o.request.allowedServerErrors ?? []).includes(o.status);
}

// ---------------------------------------------------------------------------------------------
// Sending

/** A fetch client that never reuses a connection: each request gets (and is judged on) its own. */
let client: Deno.HttpClient | undefined;
function freshConnections(): Deno.HttpClient {
  return client ??= Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
}

async function sendFetch(
  base: URL,
  w: FetchWire,
  timeoutMs: number,
): Promise<Omit<Outcome, "request" | "ms">> {
  try {
    const res = await fetch(new URL(w.path, base), {
      method: w.method,
      headers: w.headers,
      body: w.body,
      redirect: "manual",
      client: freshConnections(),
      signal: AbortSignal.timeout(timeoutMs),
    });
    // Only the status matters; event streams never end, so the body is dropped, not read.
    await res.body?.cancel().catch(() => {});
    return { end: "answered", status: res.status, detail: "" };
  } catch (e) {
    const err = e as Error;
    if (err.name === "TimeoutError") return { end: "timeout", status: null, detail: err.message };
    return { end: "failed", status: null, detail: `${err.name}: ${err.message}` };
  }
}

const STATUS_LINE = /^HTTP\/\d\.\d (\d{3})/;

/** Reads until a final status line (1xx answers are skipped), EOF or an error. */
async function readStatus(conn: Deno.Conn): Promise<{ status: number | null; error?: Error }> {
  const buf = new Uint8Array(16 * 1024);
  let head = "";
  try {
    while (true) {
      const n = await conn.read(buf);
      if (n === null) break;
      head += new TextDecoder("latin1").decode(buf.subarray(0, n));
      while (true) {
        const m = STATUS_LINE.exec(head);
        if (!m) break;
        const status = Number(m[1]);
        if (status >= 200) return { status };
        const end = head.indexOf("\r\n\r\n");
        if (end === -1) break;
        head = head.slice(end + 4);
      }
      if (head.length > 0 && !"HTTP/1.1 ".startsWith(head.slice(0, 9)) && !STATUS_LINE.test(head)) {
        return { status: null, error: new Error(`not an HTTP answer: ${head.slice(0, 40)}`) };
      }
    }
    return { status: null };
  } catch (e) {
    return { status: null, error: e as Error };
  }
}

async function sendRaw(
  base: URL,
  w: RawWire,
  timeoutMs: number,
): Promise<Omit<Outcome, "request" | "ms">> {
  const conn = await Deno.connect({ hostname: base.hostname, port: Number(base.port) });
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    // Read while writing: a server may answer (400, 413, 431) before a flood is fully sent.
    const reading = readStatus(conn);
    let readDone = false;
    reading.finally(() => readDone = true);
    const writing = (async () => {
      for (let i = 0; i < w.chunks.length && !readDone; i++) {
        if (i > 0 && w.gapMs) await new Promise((r) => setTimeout(r, w.gapMs));
        if (readDone) break;
        try {
          let at = 0;
          const chunk = w.chunks[i];
          while (at < chunk.length) at += await conn.write(chunk.subarray(at));
        } catch {
          return; // the server stopped reading; its answer (if any) is in `reading`
        }
      }
      if (w.closeWrite) await conn.closeWrite().catch(() => {});
    })().catch(() => {}); // the connection was closed under a pending write
    const timeout = new Promise<"timeout">((r) =>
      timer = setTimeout(() => r("timeout"), timeoutMs)
    );
    const read = await Promise.race([reading, timeout]);
    // Closing ends a write the server no longer reads (a flood it answered early).
    conn.close();
    await writing;
    if (read === "timeout") return { end: "timeout", status: null, detail: "" };
    if (read.status !== null) return { end: "answered", status: read.status, detail: "" };
    if (read.error) return { end: "reset", status: null, detail: read.error.message };
    return { end: "closed", status: null, detail: "" };
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch {
      // already closed
    }
  }
}

/** Sends one request to `baseUrl` and records the outcome. */
export async function send(
  baseUrl: string,
  request: HostileRequest,
  timeoutMs = 20_000,
): Promise<Outcome> {
  const base = new URL(baseUrl);
  let started = performance.now();
  try {
    const wire = typeof request.wire === "function" ? await request.wire() : request.wire;
    started = performance.now();
    const r = wire.kind === "fetch"
      ? await sendFetch(base, wire, timeoutMs)
      : await sendRaw(base, wire, timeoutMs);
    return { request, ...r, ms: performance.now() - started };
  } catch (e) {
    const ms = performance.now() - started;
    return { request, end: "failed", status: null, detail: (e as Error).message, ms };
  }
}

/** Sends every request, `concurrency` at a time, and returns the outcomes in order. */
export async function sendAll(
  baseUrl: string,
  requests: readonly HostileRequest[],
  options: { concurrency?: number; timeoutMs?: number } = {},
): Promise<Outcome[]> {
  const out: Outcome[] = new Array(requests.length);
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      const i = next++;
      out[i] = await send(baseUrl, requests[i], options.timeoutMs);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 16 }, worker));
  return out;
}

/** Requests per category, and the outcomes that were not acceptable. */
export function summarize(outcomes: readonly Outcome[]): {
  byCategory: Record<string, number>;
  byEnd: Record<string, number>;
  failures: string[];
} {
  const byCategory: Record<string, number> = {};
  const byEnd: Record<string, number> = {};
  const failures: string[] = [];
  for (const o of outcomes) {
    byCategory[o.request.category] = (byCategory[o.request.category] ?? 0) + 1;
    const end = o.end === "answered" ? `${o.status}` : o.end;
    byEnd[end] = (byEnd[end] ?? 0) + 1;
    if (!acceptable(o)) {
      const what = `${o.request.category} / ${o.request.name}`.slice(0, 120);
      failures.push(`${what}: ${o.end} ${o.status ?? ""} ${o.detail.slice(0, 200)}`.trim());
    }
  }
  return { byCategory, byEnd, failures };
}

// ---------------------------------------------------------------------------------------------
// Building blocks

/** Bytes of a text, or the concatenation of texts and byte arrays. */
export function bytes(...parts: (string | Uint8Array | number[])[]): Uint8Array<ArrayBuffer> {
  const arrays = parts.map((p) =>
    typeof p === "string" ? enc.encode(p) : p instanceof Uint8Array ? p : new Uint8Array(p)
  );
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

function raw(category: string, name: string, ...parts: (string | Uint8Array | number[])[]) {
  return { category, name, wire: { kind: "raw", chunks: [bytes(...parts)] } } as const;
}

/** A raw request head for `path` (sent byte for byte) with extra header lines. */
function head(method: string, path: string, lines: string[] = [], version = "HTTP/1.1"): string {
  // Accept as a JSON client sends it, so that the emulator's Accept check lets the request on.
  return `${method} ${path} ${version}\r\nHost: localhost\r\nAccept: application/json\r\n${
    lines.map((l) => l + "\r\n").join("")
  }\r\n`;
}

/** A documented-5xx marker for paths that answer 503 by design (readiness). */
function allowedFor(path: string): readonly number[] | undefined {
  return path.startsWith("/readyz") ? [503] : undefined;
}

/** `count` bytes of deterministic pseudo-random data (incompressible, not crypto). */
export function noise(count: number, seed = 1): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(count);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Compresses `decodedBytes` zero bytes (never held in memory) with gzip or deflate. */
export async function compressionBomb(
  format: "gzip" | "deflate",
  decodedBytes: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const zeros = new Uint8Array(1024 * 1024);
  let left = decodedBytes;
  const source = new ReadableStream<Uint8Array>({
    pull(c) {
      if (left <= 0) return c.close();
      const n = Math.min(left, zeros.length);
      c.enqueue(zeros.subarray(0, n));
      left -= n;
    },
  });
  return new Uint8Array(
    await new Response(
      source.pipeThrough<Uint8Array>(
        new CompressionStream(format) as ReadableWritablePair<Uint8Array, Uint8Array>,
      ),
    ).arrayBuffer(),
  );
}

// ---------------------------------------------------------------------------------------------
// Families that fit any HTTP server

/** Methods a route was not made for, and made-up ones (fetch sends any token but CONNECT/TRACE). */
export function badMethods(
  paths: readonly string[],
  headers: Readonly<Record<string, string>> = {},
): HostileRequest[] {
  const methods = ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "PROPFIND", "BREW", "GET"];
  return paths.flatMap((path) =>
    methods.map((method) => ({
      category: "bad-method",
      name: `${method} ${path}`,
      wire: { kind: "fetch", method, path, headers } as const,
      allowedServerErrors: allowedFor(path),
    }))
  );
}

/** Query strings a page does not expect: bad values, bad encodings, floods of parameters. */
export function badQueries(
  paths: readonly string[],
  headers: Readonly<Record<string, string>> = {},
): HostileRequest[] {
  const queries = [
    "period=bogus",
    "metric=<script>alert(1)</script>",
    "period=%ZZ&metric=%",
    "period=day&period=week&period=",
    "=&&==&%00=%00",
    "metric[]=1&metric[a]=2&__proto__[x]=1",
    "period=" + "9".repeat(400),
    "metric=%FF%FE%C0%AF",
    "metric=%F0%9F%8E%BF" + "%E2%80%AE".repeat(20),
    Array.from({ length: 2000 }, (_, i) => `p${i}=${i}`).join("&"),
    "q=" + "x".repeat(30_000),
    "period=-1&metric=NaN&from=9999999999999999999&to=-Infinity",
  ];
  return paths.flatMap((path) =>
    queries.map((q, i) => ({
      category: "bad-query",
      name: `${path.split("?")[0]} query #${i}`,
      wire: { kind: "fetch", method: "GET", path: `${path.split("?")[0]}?${q}`, headers } as const,
      allowedServerErrors: allowedFor(path),
    }))
  );
}

/** Header values a server should shrug off. */
export function hostileHeaders(
  paths: readonly string[],
  jwts: readonly string[] = [],
): HostileRequest[] {
  const sets: [string, Record<string, string>][] = [
    ["Accept junk", { Accept: "*/*;q=abc, text/html;level=-1, application/json;q=9" }],
    ["Accept event-stream", { Accept: "text/event-stream", "Last-Event-ID": "x".repeat(4000) }],
    ["Accept-Encoding junk", { "Accept-Encoding": "gzip;q=2, br;q=-1, zstd, identity;q=0" }],
    ["Range junk", { Range: "bytes=-1-, 99999999999999999999-" }],
    ["If-None-Match junk", { "If-None-Match": '"' + "a".repeat(2000), "If-Modified-Since": "yes" }],
    ["htmx headers", { "HX-Request": "true", "HX-Current-URL": "javascript:alert(1)" }],
    ["big cookie", {
      Cookie: Array.from({ length: 200 }, (_, i) => `c${i}=${"v".repeat(30)}`).join("; "),
    }],
    ["forwarded flood", {
      "X-Forwarded-For": Array.from({ length: 500 }, () => "10.0.0.1").join(", "),
    }],
    ["origin evil", { Origin: "https://evil.example", Referer: "javascript:alert(1)" }],
    ["content-type without body", { "Content-Type": "multipart/form-data" }],
    ["authorization basic", { Authorization: "Basic " + btoa("admin:admin") }],
    ["authorization empty bearer", { Authorization: "Bearer" }],
    ...jwts.map((t, i) =>
      [`authorization jwt #${i}`, { Authorization: `Bearer ${t}` }] as [
        string,
        Record<string, string>,
      ]
    ),
  ];
  return paths.flatMap((path) =>
    sets.map(([name, headers]) => ({
      category: "hostile-header",
      name: `${name} ${path}`,
      wire: { kind: "fetch", method: "GET", path, headers } as const,
      allowedServerErrors: allowedFor(path),
    }))
  );
}

/** Bodies nobody asked for: garbage, invalid UTF-8, malformed JSON, oversized, a gzip bomb. */
export async function unexpectedBodies(paths: readonly string[]): Promise<HostileRequest[]> {
  const bomb = await compressionBomb("gzip", 64 * 1024 * 1024);
  const bodies: [string, Record<string, string>, string | Uint8Array<ArrayBuffer>][] = [
    [
      "invalid utf-8",
      { "Content-Type": "text/plain" },
      bytes([0xff, 0xfe, 0xc0, 0xaf, 0xed, 0xa0, 0x80]),
    ],
    ["malformed json", { "Content-Type": "application/json" }, '{"a":'],
    ["deep json", { "Content-Type": "application/json" }, "[".repeat(100_000)],
    ["malformed ndjson", { "Content-Type": "application/x-ndjson" }, "{}\n{\n}\n\u0000"],
    ["form flood", { "Content-Type": "application/x-www-form-urlencoded" }, "a=1&".repeat(50_000)],
    ["5 MB noise", { "Content-Type": "application/octet-stream" }, noise(5 * 1024 * 1024)],
    ["gzip bomb", { "Content-Type": "application/json", "Content-Encoding": "gzip" }, bomb],
    ["multipart no boundary", { "Content-Type": "multipart/form-data" }, "--x\r\n\r\n"],
  ];
  return paths.flatMap((path) =>
    bodies.map(([name, headers, body]) => ({
      category: "unexpected-body",
      name: `${name} ${path}`,
      wire: { kind: "fetch", method: "POST", path, headers, body } as const,
      allowedServerErrors: allowedFor(path),
    }))
  );
}

/**
 * Malformed HTTP itself, as raw bytes: methods and versions fetch cannot send, invalid UTF-8 in
 * the request line and headers, header floods (many and huge), huge URLs, request smuggling
 * framings, truncated and lying bodies.
 */
export function malformedHttp(path: string): HostileRequest[] {
  const many = (n: number) => Array.from({ length: n }, (_, i) => `X-Flood-${i}: ${i}`);
  const cases: HostileRequest[] = [
    raw("bad-method", `TRACE ${path}`, head("TRACE", path)),
    raw("bad-method", `CONNECT ${path}`, head("CONNECT", "localhost:80")),
    raw("bad-method", `lower-case get ${path}`, head("get", path)),
    raw("bad-method", `long method ${path}`, head("X".repeat(5000), path)),
    raw("bad-method", `method with NUL ${path}`, head("G\u0000T", path)),
    raw(
      "invalid-utf8",
      `request line ${path}`,
      `GET ${path}`,
      [0xff, 0xfe, 0xc0, 0xaf],
      " HTTP/1.1\r\nHost: x\r\n\r\n",
    ),
    raw(
      "invalid-utf8",
      `header value ${path}`,
      `GET ${path} HTTP/1.1\r\nHost: x\r\nX-A: `,
      [0xff, 0xfe, 0xed, 0xa0, 0x80],
      "\r\nUser-Agent: ",
      [0xc3, 0x28],
      "\r\n\r\n",
    ),
    raw(
      "invalid-utf8",
      `header name ${path}`,
      `GET ${path} HTTP/1.1\r\nHost: x\r\nX-`,
      [0xff],
      ": a\r\n\r\n",
    ),
    raw(
      "invalid-utf8",
      `authorization ${path}`,
      `GET ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer `,
      [0xff, 0x80, 0x80],
      "\r\n\r\n",
    ),
    raw("header-flood", `200 headers ${path}`, head("GET", path, many(200))),
    raw("header-flood", `10000 headers ${path}`, head("GET", path, many(10_000))),
    raw(
      "header-flood",
      `64 KB header ${path}`,
      head("GET", path, [`X-Big: ${"a".repeat(64 * 1024)}`]),
    ),
    raw(
      "header-flood",
      `2 MB header ${path}`,
      head("GET", path, [`X-Big: ${"a".repeat(2 * 1024 * 1024)}`]),
    ),
    raw(
      "header-flood",
      `64 KB cookie ${path}`,
      head("GET", path, [`Cookie: a=${"b".repeat(64 * 1024)}`]),
    ),
    raw(
      "header-flood",
      `100 Host headers ${path}`,
      head("GET", path, Array(100).fill("Host: evil")),
    ),
    raw(
      "huge-url",
      `8 KB path ${path}`,
      head("GET", `${path}${path.endsWith("/") ? "" : "/"}${"a".repeat(8 * 1024)}`),
    ),
    raw("huge-url", `64 KB query ${path}`, head("GET", `${path}?q=${"a".repeat(64 * 1024)}`)),
    raw("huge-url", `1 MB path ${path}`, head("GET", `/${"a/".repeat(512 * 1024)}`)),
    raw("bad-version", `HTTP/0.9 ${path}`, `GET ${path}\r\n\r\n`),
    raw("bad-version", `HTTP/2.0 line ${path}`, head("GET", path, [], "HTTP/2.0")),
    raw("bad-version", `HTTP/9.9 ${path}`, head("GET", path, [], "HTTP/9.9")),
    raw("bad-version", `no version ${path}`, `GET ${path} \r\n\r\n`),
    raw(
      "smuggling",
      `CL and TE ${path}`,
      head("POST", path, ["Content-Length: 4", "Transfer-Encoding: chunked"]),
      "0\r\n\r\n",
    ),
    raw(
      "smuggling",
      `two CL ${path}`,
      head("POST", path, ["Content-Length: 1", "Content-Length: 2"]),
      "ab",
    ),
    raw("smuggling", `negative CL ${path}`, head("POST", path, ["Content-Length: -1"])),
    raw(
      "smuggling",
      `huge CL ${path}`,
      head("POST", path, ["Content-Length: 99999999999999999999"]),
      "{}",
    ),
    raw(
      "smuggling",
      `bad chunk size ${path}`,
      head("POST", path, ["Transfer-Encoding: chunked"]),
      "ZZ\r\nab\r\n0\r\n\r\n",
    ),
    raw(
      "smuggling",
      `TE gzip, chunked ${path}`,
      head("POST", path, ["Transfer-Encoding: gzip, chunked"]),
      "0\r\n\r\n",
    ),
    raw("smuggling", `obs-fold ${path}`, head("GET", path, ["X-A: a", " folded"])),
    raw("smuggling", `NUL in header ${path}`, head("GET", path, ["X-A: a\u0000b"])),
    raw("smuggling", `bare LF ${path}`, `GET ${path} HTTP/1.1\nHost: x\n\n`),
    raw("smuggling", `pipelined ${path}`, head("GET", path).repeat(3)),
    raw("smuggling", `absolute-form ${path}`, head("GET", `http://evil.example${path}`)),
    raw("smuggling", `asterisk-form`, head("OPTIONS", "*")),
    raw("smuggling", `no Host ${path}`, `GET ${path} HTTP/1.1\r\n\r\n`),
    raw("garbage", `binary noise`, noise(4096, path.length + 7)),
    raw("garbage", `TLS hello on plain HTTP`, [
      0x16,
      0x03,
      0x01,
      0x02,
      0x00,
      0x01,
      0x00,
      0x01,
      0xfc,
      0x03,
      0x03,
    ]),
    {
      category: "oversized-body",
      name: `body shorter than its Content-Length ${path}`,
      wire: {
        kind: "raw",
        chunks: [
          bytes(
            head("POST", path, ["Content-Length: 100000", "Content-Type: application/json"]),
            "{",
          ),
        ],
        closeWrite: true,
      },
    },
    {
      category: "oversized-body",
      name: `chunked body that never ends ${path}`,
      wire: {
        kind: "raw",
        chunks: [bytes(head("POST", path, ["Transfer-Encoding: chunked"]), "4\r\nabcd\r\n")],
        closeWrite: true,
      },
    },
  ];
  return cases.map((r) => ({ ...r, allowedServerErrors: allowedFor(path) }));
}

/**
 * Paths that try to leave the routes: traversal in every spelling, encoded NULs and slashes,
 * overlong UTF-8. Sent raw, so that `..` reaches the server as written.
 */
export function traversal(prefixes: readonly string[]): HostileRequest[] {
  const tails = [
    "../../etc/passwd",
    "..%2F..%2Fetc%2Fpasswd",
    "%2e%2e/%2e%2e/etc/passwd",
    "%252e%252e%252fetc%252fpasswd",
    "..\\..\\windows\\win.ini",
    "%C0%AE%C0%AE/%C0%AE%C0%AE/etc/passwd",
    "....//....//deno.json",
    "%00",
    "x%00.json",
    "%FF%FE",
    ".env",
    "../data/rsa_key.p8",
    "..;/deno.json",
    "%2F%2F%2Fetc%2Fpasswd",
  ];
  return prefixes.flatMap((prefix) =>
    tails.map((tail) => raw("path-traversal", `${prefix}${tail}`, head("GET", `${prefix}${tail}`)))
  );
}

/**
 * Slow clients (slowloris): each dribbles its request in small pieces `gapMs` apart over about
 * `durationMs`. Send them all at once (not through a small worker pool) so that they hold their
 * connections open together. Half of them finish their request and expect an answer; the other
 * half stop in the middle of the headers and hang up.
 */
export function slowClients(
  paths: readonly string[],
  count: number,
  durationMs = 3000,
  gapMs = 100,
): HostileRequest[] {
  return Array.from({ length: count }, (_, i) => {
    const path = paths[i % paths.length];
    const text = head("GET", path, ["User-Agent: slow", `X-Slow: ${i}`]);
    const full = i % 2 === 0;
    const sent = full ? text : text.slice(0, text.indexOf("X-Slow"));
    const size = Math.max(1, Math.ceil(sent.length / (durationMs / gapMs)));
    const pieces: Uint8Array[] = [];
    for (let at = 0; at < sent.length; at += size) {
      pieces.push(enc.encode(sent.slice(at, at + size)));
    }
    return {
      category: "slow-client",
      name: `${full ? "slow request" : "slow and abandoned"} ${path}`,
      wire: { kind: "raw", chunks: pieces, gapMs, closeWrite: !full },
      allowedServerErrors: allowedFor(path),
    };
  });
}
