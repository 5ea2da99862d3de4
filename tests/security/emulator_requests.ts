/**
 * Hostile requests for the emulator's own endpoints (Snowpipe Streaming v2 and the SQL API that
 * snowflake-sdk uses): bad and forged key-pair JWTs and scoped tokens, malformed token exchanges,
 * hostile channel paths, malformed NDJSON, compression bombs, oversized bodies and hostile SQL.
 *
 * The families need a live emulator and its key pair ({@link EmulatorAccess}) to get past the
 * checks that come before the code under attack (a malformed NDJSON body only reaches the parser
 * on an open channel with a valid token).
 *
 * @module
 */
import { Readable } from "node:stream";
import { createZstdCompress } from "node:zlib";
import { PATHS } from "../../src/snowflake/protocol.ts";
import {
  ACCOUNT,
  appendPath,
  channelPath,
  DB,
  JWT_GRANT,
  keypairJwt,
  newKeys,
  SCHEMA,
  statusPath,
  type TestKeys,
  unsignedJwt,
  USER,
} from "../emulator/helpers.ts";
import {
  bytes,
  compressionBomb,
  type FetchWire,
  type HostileRequest,
  noise,
} from "./hostile_requests.ts";

const PIPE = "LIFT_RIDE_PIPE";
/** Decoded size of the compression bombs: past the emulator's 128 MB cap on decoded bodies. */
const BOMB_BYTES = 160 * 1024 * 1024;

/** What the families need from a running emulator. */
export interface EmulatorAccess {
  readonly url: string;
  /** The key pair the emulator trusts. */
  readonly keys: TestKeys;
  /** A valid key-pair JWT and a scoped token the emulator issued. */
  readonly jwt: string;
  readonly scoped: string;
}

const json = (token: string, extra: Record<string, string> = {}) => ({
  Authorization: `Bearer ${token}`,
  Accept: "application/json",
  "Content-Type": "application/json",
  ...extra,
});

function b64url(data: string | Uint8Array): string {
  const text = typeof data === "string" ? data : String.fromCharCode(...data);
  return btoa(text).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** A JWT with any header and payload, signed (HS256) with `secret`, or with a junk signature. */
async function handMadeJwt(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  secret?: Uint8Array<ArrayBuffer>,
): Promise<string> {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  if (!secret) return `${input}.${b64url("not a signature")}`;
  const key = await crypto.subtle.importKey(
    "raw",
    secret,
    { name: "HMAC", hash: "SHA-256" },
    false,
    [
      "sign",
    ],
  );
  const sig = new Uint8Array(
    await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(input)),
  );
  return `${input}.${b64url(sig)}`;
}

/** Key-pair JWTs and scoped tokens that must all be refused, by name. */
export async function badTokens(keys: TestKeys): Promise<[string, string][]> {
  const now = Math.floor(Date.now() / 1000);
  const stranger = await newKeys();
  const claims = {
    iss: `${ACCOUNT}.${USER}.${keys.fingerprint}`,
    sub: `${ACCOUNT}.${USER}`,
    iat: now,
    exp: now + 600,
  };
  const valid = await keypairJwt(keys);
  const [h, p, s] = valid.split(".");
  const flipped = s.slice(0, 10) + (s[10] === "A" ? "B" : "A") + s.slice(11);
  const tamperedPayload = b64url(JSON.stringify({ ...claims, sub: `${ACCOUNT}.ACCOUNTADMIN` }));
  const randomSecret = crypto.getRandomValues(new Uint8Array(32));
  const scopedClaims = { iss: "liftline-emulator", sub: `${ACCOUNT}.${USER}`, scope: "127.0.0.1" };
  return [
    ["alg none", unsignedJwt(keys)],
    [
      "HS256 keyed with the public key (alg confusion)",
      await handMadeJwt(
        { alg: "HS256", typ: "JWT" },
        claims,
        new TextEncoder().encode(keys.publicKeyPem),
      ),
    ],
    ["signed by a stranger's key", await keypairJwt(keys, { signWith: stranger.privateKey })],
    ["stranger's key and fingerprint", await keypairJwt(stranger)],
    ["expired", await keypairJwt(keys, { iat: now - 7200, exp: now - 3600 })],
    ["lives two hours", await keypairJwt(keys, { exp: now + 7200 })],
    ["issued in the future", await keypairJwt(keys, { iat: now + 3600, exp: now + 3700 })],
    ["issued in 1970, expiring in ms", await keypairJwt(keys, { iat: 1, exp: (now + 600) * 1000 })],
    [
      "wrong fingerprint",
      await keypairJwt(keys, { fingerprint: "SHA256:" + "A".repeat(43) + "=" }),
    ],
    ["wrong account", await keypairJwt(keys, { account: "OTHER" })],
    ["wrong user", await keypairJwt(keys, { user: "ACCOUNTADMIN" })],
    ["payload tampered after signing", `${h}.${tamperedPayload}.${s}`],
    ["signature flipped", `${h}.${p}.${flipped}`],
    ["signature stripped", `${h}.${p}.`],
    ["junk signature", await handMadeJwt({ alg: "RS256", typ: "JWT" }, claims)],
    ["jku injection", await handMadeJwt({ alg: "RS256", jku: "http://evil.example/jwks" }, claims)],
    [
      "kid traversal, NUL-byte HMAC key",
      await handMadeJwt({ alg: "HS256", kid: "../../../../dev/null" }, claims, new Uint8Array(1)),
    ],
    ["header is a JSON array", `${b64url("[1,2]")}.${p}.${s}`],
    ["header is not JSON", `${b64url("not json")}.${p}.${s}`],
    ["payload is not JSON", `${h}.${b64url("{{{")}.${s}`],
    ["not base64url", "!!!.@@@.###"],
    ["empty", ""],
    ["no dots", "abc"],
    ["only dots", "...."],
    ["64 KB token", `${h}.${"A".repeat(64 * 1024)}.${s}`],
    [
      "forged scoped token",
      await handMadeJwt(
        { alg: "HS256", typ: "JWT" },
        { ...scopedClaims, iat: now, exp: now + 600 },
        randomSecret,
      ),
    ],
    [
      "forged expired scoped token",
      await handMadeJwt({ alg: "HS256", typ: "JWT" }, {
        ...scopedClaims,
        iat: now - 7200,
        exp: now - 3600,
      }, randomSecret),
    ],
    [
      "scoped token with alg none",
      `${b64url(JSON.stringify({ alg: "none" }))}.${
        b64url(JSON.stringify({ ...scopedClaims, exp: now + 600 }))
      }.`,
    ],
  ];
}

/** Every endpoint that takes a bearer token, with `token` in the place it is read from. */
function bearerEndpoints(token: string): [string, FetchWire][] {
  const form = new URLSearchParams({ grant_type: JWT_GRANT, scope: "127.0.0.1" }).toString();
  return [
    ["hostname", { kind: "fetch", method: "GET", path: PATHS.hostname, headers: json(token) }],
    ["token exchange (bearer)", {
      kind: "fetch",
      method: "POST",
      path: PATHS.oauthToken,
      headers: json(token, { "Content-Type": "application/x-www-form-urlencoded" }),
      body: form,
    }],
    ["token exchange (assertion)", {
      kind: "fetch",
      method: "POST",
      path: PATHS.oauthToken,
      headers: { Accept: "application/json", "Content-Type": "application/x-www-form-urlencoded" },
      body: `${form}&assertion=${encodeURIComponent(token)}`,
    }],
    ["open channel", {
      kind: "fetch",
      method: "PUT",
      path: channelPath(PIPE, "hostile"),
      headers: json(token),
      body: "{}",
    }],
    ["append", {
      kind: "fetch",
      method: "POST",
      path: `${appendPath(PIPE, "hostile")}?continuationToken=x&offsetToken=1`,
      headers: json(token, { "Content-Type": "application/x-ndjson" }),
      body: '{"TXID":"x"}\n',
    }],
    ["channel status", {
      kind: "fetch",
      method: "POST",
      path: statusPath(PIPE),
      headers: json(token),
      body: '{"channel_names":["hostile"]}',
    }],
    ["drop channel", {
      kind: "fetch",
      method: "DELETE",
      path: channelPath(PIPE, "hostile"),
      headers: json(token),
    }],
    ["SQL login", {
      kind: "fetch",
      method: "POST",
      path: "/session/v1/login-request",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({
        data: { AUTHENTICATOR: "SNOWFLAKE_JWT", TOKEN: token, LOGIN_NAME: USER },
      }),
    }],
    ["SQL API statement", {
      kind: "fetch",
      method: "POST",
      path: "/api/v2/statements",
      headers: json(token, { "X-Snowflake-Authorization-Token-Type": "KEYPAIR_JWT" }),
      body: '{"statement":"SELECT 1"}',
    }],
    ["SQL API status", {
      kind: "fetch",
      method: "GET",
      path: `/api/v2/statements/${crypto.randomUUID()}`,
      headers: json(token),
    }],
  ];
}

/** Bad tokens at every endpoint, and valid tokens of the wrong kind. */
export async function tokenAbuse(access: EmulatorAccess): Promise<HostileRequest[]> {
  const out: HostileRequest[] = [];
  for (const [name, token] of await badTokens(access.keys)) {
    for (const [endpoint, wire] of bearerEndpoints(token)) {
      out.push({ category: "bad-jwt", name: `${name} at ${endpoint}`, wire });
    }
  }
  // A scoped token where a key-pair JWT is needed, and the other way round.
  for (const [endpoint, wire] of bearerEndpoints(access.scoped).slice(0, 3)) {
    out.push({ category: "bad-jwt", name: `scoped token at ${endpoint}`, wire });
  }
  for (const [endpoint, wire] of bearerEndpoints(access.jwt).slice(3, 5)) {
    out.push({ category: "bad-jwt", name: `key-pair JWT at ${endpoint}`, wire });
  }
  const authHeaders = [
    "Bearer",
    "Bearer  a b c",
    "Basic YWRtaW46YWRtaW4=",
    `Snowflake Token="${access.scoped}"`,
    `bearer\t${access.jwt}x`,
    "Bearer " + "a.".repeat(20_000),
  ];
  for (const h of authHeaders) {
    out.push({
      category: "bad-jwt",
      name: `Authorization: ${h.slice(0, 24)}`,
      wire: {
        kind: "fetch",
        method: "GET",
        path: PATHS.hostname,
        headers: { Authorization: h, Accept: "application/json" },
      },
    });
  }
  return out;
}

/** Token exchanges that are malformed rather than unauthenticated. */
export function tokenExchangeAbuse(access: EmulatorAccess): HostileRequest[] {
  const form = (body: string | Uint8Array<ArrayBuffer>, headers: Record<string, string> = {}) => ({
    kind: "fetch" as const,
    method: "POST",
    path: PATHS.oauthToken,
    headers: {
      Authorization: `Bearer ${access.jwt}`,
      Accept: "application/json",
      "Content-Type": "application/x-www-form-urlencoded",
      ...headers,
    },
    body,
  });
  const g = `grant_type=${encodeURIComponent(JWT_GRANT)}`;
  const cases: [string, FetchWire][] = [
    ["no grant_type", form("scope=127.0.0.1")],
    ["wrong grant_type", form("grant_type=password&scope=127.0.0.1&username=a&password=b")],
    ["grant_type twice", form(`grant_type=client_credentials&${g}&scope=127.0.0.1`)],
    ["no scope", form(g)],
    ["empty scope", form(`${g}&scope=`)],
    ["only a role", form(`${g}&scope=session:role:ACCOUNTADMIN`)],
    ["100 KB scope", form(`${g}&scope=${"h".repeat(100_000)}`)],
    ["10,000 scope parts", form(`${g}&scope=${Array(10_000).fill("a").join("%20")}`)],
    ["bad percent-encoding", form(`${g}&scope=%ZZ%`)],
    ["invalid UTF-8", form(bytes(`${g}&scope=`, [0xff, 0xfe, 0xc0]))],
    [
      "JSON instead of a form",
      form(JSON.stringify({ grant_type: JWT_GRANT }), { "Content-Type": "application/json" }),
    ],
    ["2 MB form", form(`${g}&scope=127.0.0.1&pad=${"x".repeat(2 * 1024 * 1024)}`)],
    ["gzip-labelled noise", form(noise(4096, 11), { "Content-Encoding": "gzip" })],
    ["no Content-Type", form(`${g}&scope=127.0.0.1`, { "Content-Type": "" })],
    ["form flood", form(`${g}&scope=127.0.0.1&${"a=1&".repeat(100_000)}`)],
    ["assertion and bearer disagree", form(`${g}&scope=127.0.0.1&assertion=forged`)],
  ];
  return cases.map(([name, wire]) => ({ category: "token-exchange", name, wire }));
}

/** Channel, pipe, database and schema names that are not names. */
export function channelPathAbuse(access: EmulatorAccess): HostileRequest[] {
  const h = json(access.scoped);
  const base = "/v2/streaming/databases";
  const channelNames = [
    "%00",
    "%1F%0A",
    "a".repeat(2000),
    "..",
    "%2E%2E%2F%2E%2E",
    "a%2Fb",
    "%FF%FE",
    "%F0%9F%8E%BF",
    "%E2%80%AE",
    "CON",
    "'%3B%20DROP%20TABLE%20LIFT_RIDE%3B--",
  ];
  const pipes = [
    "NOPE",
    "LIFT_RIDE_PIPE%00",
    "'%3B%20DROP%20TABLE%20LIFT_RIDE%3B--",
    "a".repeat(5000),
    "%2E%2E",
  ];
  const out: HostileRequest[] = [];
  for (const c of channelNames) {
    const path = `${base}/${DB}/schemas/${SCHEMA}/pipes/${PIPE}/channels/${c}`;
    out.push({
      category: "hostile-path",
      name: `open channel ${c.slice(0, 20)}`,
      wire: { kind: "fetch", method: "PUT", path, headers: h, body: "{}" },
    });
    out.push({
      category: "hostile-path",
      name: `drop channel ${c.slice(0, 20)}`,
      wire: { kind: "fetch", method: "DELETE", path, headers: h },
    });
  }
  for (const p of pipes) {
    out.push({
      category: "hostile-path",
      name: `open on pipe ${p.slice(0, 20)}`,
      wire: {
        kind: "fetch",
        method: "PUT",
        path: `${base}/${DB}/schemas/${SCHEMA}/pipes/${p}/channels/x`,
        headers: h,
        body: "{}",
      },
    });
    out.push({
      category: "hostile-path",
      name: `status of pipe ${p.slice(0, 20)}`,
      wire: {
        kind: "fetch",
        method: "POST",
        path: `${base}/${DB}/schemas/${SCHEMA}/pipes/${p}:bulk-channel-status`,
        headers: h,
        body: '{"channel_names":[]}',
      },
    });
  }
  for (
    const [name, path] of [
      ["wrong database", `${base}/NOPE/schemas/${SCHEMA}/pipes/${PIPE}/channels/x`],
      ["wrong schema", `${base}/${DB}/schemas/NOPE/pipes/${PIPE}/channels/x`],
      ["empty pipe action", `${base}/${DB}/schemas/${SCHEMA}/pipes/:bulk-channel-status`],
      [
        "doubled action",
        `${base}/${DB}/schemas/${SCHEMA}/pipes/${PIPE}:bulk-channel-status:bulk-channel-status`,
      ],
      ["unknown action", `${base}/${DB}/schemas/${SCHEMA}/pipes/${PIPE}:drop-everything`],
    ]
  ) {
    out.push({
      category: "hostile-path",
      name,
      wire: { kind: "fetch", method: "POST", path, headers: h, body: '{"channel_names":["x"]}' },
    });
    out.push({
      category: "hostile-path",
      name: `${name} (PUT)`,
      wire: { kind: "fetch", method: "PUT", path, headers: h, body: "{}" },
    });
  }
  const bodies: [string, string | Uint8Array<ArrayBuffer>][] = [
    ["offset_token is a number", '{"offset_token":5}'],
    ["offset_token is an object", '{"offset_token":{"$gt":""}}'],
    ["offset_token of 1 MB", JSON.stringify({ offset_token: "9".repeat(1000 * 1000) })],
    ["fail_on_uncommitted_rows is a string", '{"fail_on_uncommitted_rows":"yes"}'],
    ["body is an array", "[]"],
    ["body is null", "null"],
    ["body is not JSON", "{offset_token:"],
    ["body is 2 MB", JSON.stringify({ pad: "x".repeat(2 * 1024 * 1024) })],
    ["body is invalid UTF-8", bytes('{"offset_token":"', [0xff, 0xfe], '"}')],
    ["__proto__ in the body", '{"__proto__":{"offset_token":"1"},"constructor":{"prototype":{}}}'],
  ];
  for (const [name, body] of bodies) {
    out.push({
      category: "malformed-json",
      name: `open: ${name}`,
      wire: {
        kind: "fetch",
        method: "PUT",
        path: channelPath(PIPE, "hostile-open"),
        headers: h,
        body,
      },
    });
    out.push({
      category: "malformed-json",
      name: `status: ${name}`,
      wire: { kind: "fetch", method: "POST", path: statusPath(PIPE), headers: h, body },
    });
  }
  for (
    const [name, body] of [
      ["channel_names is a string", '{"channel_names":"x"}'],
      ["channel_names holds objects", '{"channel_names":[{},[],null,1]}'],
      [
        "100,000 channel names",
        JSON.stringify({ channel_names: Array.from({ length: 100_000 }, (_, i) => `c${i}`) }),
      ],
    ]
  ) {
    out.push({
      category: "malformed-json",
      name: `status: ${name}`,
      wire: { kind: "fetch", method: "POST", path: statusPath(PIPE), headers: h, body },
    });
  }
  return out;
}

/** Streams `decodedBytes` zero bytes through zstd, never holding them in memory. */
async function zstdBomb(decodedBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  const zeros = new Uint8Array(1024 * 1024);
  const source = Readable.from((function* () {
    for (let left = decodedBytes; left > 0; left -= zeros.length) {
      yield zeros.subarray(0, Math.min(left, zeros.length));
    }
  })());
  const chunks: Uint8Array[] = [];
  for await (const c of source.pipe(createZstdCompress())) chunks.push(c as Uint8Array);
  return bytes(...chunks);
}

/**
 * Append bodies that must be refused or counted as error rows, each sent on a channel opened for
 * it (so that the body reaches the decoder and the parser, not a stale-token check).
 */
export async function appendAbuse(access: EmulatorAccess): Promise<HostileRequest[]> {
  // Just past the emulator's 128 MB decoded cap: bigger bombs only cost the test more time.
  const gzBomb = await compressionBomb("gzip", BOMB_BYTES);
  const deflateBomb = await compressionBomb("deflate", BOMB_BYTES);
  const zstd = await zstdBomb(BOMB_BYTES);
  const nested = new Uint8Array(
    await new Response(new Blob([gzBomb]).stream().pipeThrough(new CompressionStream("gzip")))
      .arrayBuffer(),
  );
  const smallGzip = new Uint8Array(
    await new Response(
      new Blob(['{"TXID":"a"}\n']).stream().pipeThrough(new CompressionStream("gzip")),
    )
      .arrayBuffer(),
  );
  const row =
    '{"TXID":"t","RFID":"0x01","RESORT":"Vail","LIFT":"L","RIDE_TIME":"2026-11-25T15:04:05Z","ACTIVATION_DAY_COUNT":1}';
  const deep = 100_000;
  const ndjson: [string, string | Uint8Array<ArrayBuffer>][] = [
    ["unterminated object", "{"],
    ["closing brace", "}"],
    ["array row", "[1,2,3]"],
    ["null row", "null"],
    ["number row", "1"],
    ["string row", '"row"'],
    ["truncated row", '{"TXID":'],
    ["deeply nested array", "[".repeat(deep) + "]".repeat(deep)],
    ["deeply nested value", `{"TXID":${"[".repeat(deep)}${"]".repeat(deep)}}`],
    ["deeply nested object value", `{"LIFT":${'{"a":'.repeat(deep)}1${"}".repeat(deep)}}`],
    ["unclosed deep nesting", "[".repeat(deep)],
    ["3 MB single line", `{"TXID":"${"x".repeat(3 * 1024 * 1024)}"}`],
    ["1,000,000 empty lines", "\n".repeat(1_000_000)],
    ["carriage returns only", "\r\r\r\r"],
    ["mixed line ends", `${row}\r\n${row}\r${row}\n\n\r\n`],
    ["NUL bytes", `${row}\u0000\n\u0000\u0000\n`],
    ["byte-order mark", `\ufeff${row}\n`],
    ["invalid UTF-8", bytes(row.slice(0, 10), [0xff, 0xfe, 0xc0, 0xaf], row.slice(10), "\n")],
    ["lone surrogates", `{"TXID":"\\ud800","LIFT":"\\udfff"}\n`],
    [
      "__proto__ keys",
      `{"__proto__":{"TXID":"p"},"constructor":{"prototype":{"x":1}},"TXID":"q"}\n`,
    ],
    ["duplicate keys", `{"TXID":"a","TXID":"b","TXID":{"c":1}}\n`],
    [
      "huge numbers",
      `{"ACTIVATION_DAY_COUNT":1e400,"TXID":"n"}\n{"ACTIVATION_DAY_COUNT":-1e400}\n`,
    ],
    [
      "NaN and Infinity literals",
      `{"ACTIVATION_DAY_COUNT":NaN}\n{"ACTIVATION_DAY_COUNT":Infinity}\n`,
    ],
    [
      "10,000 keys",
      JSON.stringify(Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`K${i}`, i]))),
    ],
    ["100 KB key", `{"${"K".repeat(100_000)}":1}\n`],
    [
      "every column the wrong type",
      '{"TXID":[],"RFID":{},"RESORT":true,"LIFT":1,"RIDE_TIME":{"t":1},"ACTIVATION_DAY_COUNT":"many"}\n',
    ],
    [
      "timestamps out of range",
      '{"RIDE_TIME":"99999-01-01T00:00:00Z"}\n{"RIDE_TIME":-1e20}\n{"RIDE_TIME":"2026-02-30T25:61:61Z"}\n',
    ],
    ["one good row among garbage", `garbage\n${row}\n{{{\n`],
    ["binary noise", noise(64 * 1024, 3)],
    ["10,000 tiny bad rows", "x\n".repeat(10_000)],
  ];
  const ok = (cont: string) => `continuationToken=${encodeURIComponent(cont)}&offsetToken=1`;
  const withToken = (rest: string) => (cont: string) =>
    `continuationToken=${encodeURIComponent(cont)}&${rest}`;
  /** Category, name, body, extra headers, query string (given the channel's valid token). */
  type Case = [
    string,
    string,
    string | Uint8Array<ArrayBuffer>,
    Record<string, string>?,
    ((cont: string) => string)?,
  ];
  const gz = { "Content-Encoding": "gzip" };
  const cases: Case[] = [
    ...ndjson.map(([name, body]): Case => ["malformed-ndjson", name, body]),
    ["compression", "gzip bomb (160 MB of zeros)", gzBomb, gz],
    ["compression", "x-gzip bomb", gzBomb, { "Content-Encoding": "x-gzip" }],
    ["compression", "deflate bomb", deflateBomb, { "Content-Encoding": "deflate" }],
    ["compression", "zstd bomb", zstd, { "Content-Encoding": "zstd" }],
    ["compression", "gzip inside gzip", nested, gz],
    ["compression", "gzip, gzip", smallGzip, { "Content-Encoding": "gzip, gzip" }],
    ["compression", "truncated gzip", smallGzip.slice(0, smallGzip.length - 6), gz],
    ["compression", "gzip with trailing junk", bytes(smallGzip, "junk"), gz],
    ["compression", "gzip label, plain body", `${row}\n`, gz],
    ["compression", "zstd label, noise", noise(4096, 5), { "Content-Encoding": "zstd" }],
    ["compression", "brotli", smallGzip, { "Content-Encoding": "br" }],
    ["compression", "upper-case GZIP", smallGzip, { "Content-Encoding": " GZIP " }],
    ["oversized-body", "5 MB body", noise(5 * 1024 * 1024, 9)],
    ["oversized-body", "4 MB + 1 byte", "x".repeat(4 * 1024 * 1024 + 1)],
    ["oversized-body", "declares 1 TB uncompressed", `${row}\n`, {
      "x-snowflake-uncompressed-content-length": "1099511627776",
    }],
    ["bad-query", "continuation token missing", `${row}\n`, {}, () => "offsetToken=1"],
    ["bad-query", "continuation token junk", `${row}\n`, {}, () => "continuationToken=%00%FF"],
    [
      "bad-query",
      "continuation token forged",
      `${row}\n`,
      {},
      () => `continuationToken=${b64url('{"c":1,"s":999,"r":0}')}&offsetToken=1`,
    ],
    [
      "bad-query",
      "continuation token of 50 KB",
      `${row}\n`,
      {},
      () => `continuationToken=${"A".repeat(50_000)}`,
    ],
    [
      "bad-query",
      "offset token of 50 KB",
      `${row}\n`,
      {},
      withToken(`offsetToken=${"9".repeat(50_000)}`),
    ],
    ["bad-query", "start without end offset", `${row}\n`, {}, withToken("startOffsetToken=1")],
    [
      "bad-query",
      "offset tokens not numbers",
      `${row}\n`,
      {},
      withToken(
        "startOffsetToken=abc&endOffsetToken=-1e999",
      ),
    ],
    [
      "bad-query",
      "offset tokens repeated",
      `${row}\n`,
      {},
      withToken(
        "offsetToken=1&offsetToken=2&endOffsetToken=&endOffsetToken=%00",
      ),
    ],
  ];
  let n = 0;
  return cases.map(([category, name, body, headers, query]) => ({
    category,
    name: `append: ${name}`,
    wire: async (): Promise<FetchWire> => {
      const channel = `hostile-append-${n++}`;
      const res = await fetch(access.url + channelPath(PIPE, channel), {
        method: "PUT",
        headers: json(access.scoped),
        body: "{}",
      });
      const opened = await res.json();
      if (res.status !== 200) {
        throw new Error(`could not open ${channel}: ${JSON.stringify(opened)}`);
      }
      const cont = opened.next_continuation_token as string;
      return {
        kind: "fetch",
        method: "POST",
        path: `${appendPath(PIPE, channel)}?${(query ?? ok)(cont)}`,
        headers: json(access.scoped, { "Content-Type": "application/x-ndjson", ...headers }),
        body,
      };
    },
  }));
}

/** What {@link duckdbOnlySql} aims at: where files would land, and what would leak. */
export interface FileSystemTargets {
  /** A folder that must stay empty: files written by a statement would land here. */
  readonly dir: string;
  /** A file whose content must never come back. */
  readonly secretFile: string;
  /** An environment variable whose value must never come back. */
  readonly secretVar: string;
}

/**
 * DuckDB's own statements, functions and syntax, which Snowflake does not have, aimed at the file
 * system, the process and the engine's settings. The emulator runs Snowflake SQL on DuckDB: each
 * must be refused with a Snowflake-shaped error (the SQL API's HTTP 200 with `success: false`, a
 * six-digit code and a SQLSTATE), reading, writing and loading nothing. `[name, sqlText]` pairs.
 */
export function duckdbOnlySql(t: FileSystemTargets): [string, string][] {
  const lit = (s: string) => `'${s.replaceAll("'", "''")}'`;
  const file = lit(t.secretFile);
  const out = (name: string) => lit(`${t.dir}/${name}`);
  return [
    // Reading files.
    ["read_csv", `SELECT * FROM read_csv(${file})`],
    ["read_csv of /etc/passwd", "SELECT * FROM read_csv('/etc/passwd')"],
    ["read_csv_auto", `SELECT * FROM read_csv_auto(${file}, header = false)`],
    ["read_csv in TABLE()", `SELECT * FROM TABLE(read_csv(${file}))`],
    ["a file path as a table (replacement scan)", `SELECT * FROM ${file}`],
    ["a file path as a quoted identifier", `SELECT * FROM "${t.secretFile}"`],
    ["read_text, scalar", `SELECT read_text(${file})`],
    ["read_text, table", `SELECT content FROM read_text(${file})`],
    ["read_blob", `SELECT * FROM read_blob(${file})`],
    ["read_json", `SELECT * FROM read_json(${file})`],
    ["read_json_auto", `SELECT * FROM read_json_auto(${file})`],
    ["read_parquet", `SELECT * FROM read_parquet(${file})`],
    ["parquet_metadata", `SELECT * FROM parquet_metadata(${file})`],
    ["sniff_csv", `SELECT * FROM sniff_csv(${file})`],
    ["glob", `SELECT * FROM glob(${lit(`${t.dir}/../*`)})`],
    ["FROM-first read_text", `FROM read_text(${file})`],
    ["read_csv in a CTE", `WITH f AS (SELECT * FROM read_csv(${file})) SELECT * FROM f`],
    ["read_text in a scalar subquery", `SELECT (SELECT read_text(${file}))`],
    ["query() table function", `SELECT * FROM query('SELECT * FROM read_text(${file})')`],
    // Reading the process's environment and the engine's state.
    ["getenv", `SELECT getenv(${lit(t.secretVar)})`],
    ["getenv HOME", "SELECT getenv('HOME')"],
    ["current_setting", "SELECT current_setting('home_directory')"],
    ["duckdb_settings()", "SELECT * FROM duckdb_settings()"],
    ["duckdb_extensions()", "SELECT * FROM duckdb_extensions()"],
    ["duckdb_databases()", "SELECT * FROM duckdb_databases()"],
    ["pragma_database_list()", "SELECT * FROM pragma_database_list()"],
    ["PRAGMA database_list", "PRAGMA database_list"],
    ["PRAGMA memory_limit", "PRAGMA memory_limit = '64GB'"],
    ["CALL pragma_version()", "CALL pragma_version()"],
    ["CALL duckdb_settings()", "CALL duckdb_settings()"],
    ["SUMMARIZE", `SUMMARIZE SELECT * FROM read_csv(${file})`],
    // Writing files.
    ["COPY … TO", `COPY (SELECT 1 AS x) TO ${out("copy.csv")}`],
    ["COPY … TO parquet", `COPY (SELECT 1 AS x) TO ${out("copy.parquet")} (FORMAT PARQUET)`],
    ["COPY … FROM a file", `COPY T FROM ${file}`],
    ["EXPORT DATABASE", `EXPORT DATABASE ${out("export")}`],
    ["IMPORT DATABASE", `IMPORT DATABASE ${lit(t.dir)}`],
    ["ATTACH", `ATTACH ${out("attached.duckdb")} AS hostile`],
    ["ATTACH DATABASE", `ATTACH DATABASE ${out("attached2.duckdb")} AS hostile2`],
    ["ATTACH IF NOT EXISTS", `ATTACH IF NOT EXISTS ${out("attached3.duckdb")} AS hostile3`],
    ["ATTACH sqlite", `ATTACH ${out("attached.sqlite")} AS hostile4 (TYPE SQLITE)`],
    ["DETACH", "DETACH results"],
    ["CHECKPOINT", "CHECKPOINT"],
    ["FORCE CHECKPOINT", "FORCE CHECKPOINT"],
    // Extensions.
    ["INSTALL", "INSTALL httpfs"],
    ["FORCE INSTALL from a file", `FORCE INSTALL ${out("x.duckdb_extension")}`],
    ["LOAD", "LOAD httpfs"],
    ["LOAD a file", `LOAD ${out("x.duckdb_extension")}`],
    ["load_extension", `SELECT load_extension(${out("x.so")})`],
    // Engine objects Snowflake does not have.
    ["CREATE MACRO", "CREATE MACRO hostile_macro(x) AS getenv(x)"],
    ["CREATE SECRET", "CREATE SECRET hostile_secret (TYPE S3, KEY_ID 'k', SECRET 's')"],
    ["CREATE TABLE AS read_csv", `CREATE TABLE HOSTILE_T AS SELECT * FROM read_csv(${file})`],
    ["CREATE VIEW over read_text", `CREATE VIEW HOSTILE_V AS SELECT * FROM read_text(${file})`],
    [
      "a DEFAULT of getenv",
      `CREATE TABLE HOSTILE_D (A VARCHAR DEFAULT getenv(${lit(t.secretVar)}))`,
    ],
    [
      "a dynamic table over read_csv",
      `CREATE DYNAMIC TABLE HOSTILE_DT TARGET_LAG = '1 minute' WAREHOUSE = W
         AS SELECT * FROM read_csv(${file})`,
    ],
    [
      "a SQL table function over read_text",
      `CREATE FUNCTION HOSTILE_F() RETURNS TABLE (C VARCHAR)
         AS 'SELECT content FROM read_text(${file.replaceAll("'", "''")})'`,
    ],
    ["INSERT … SELECT read_text", `INSERT INTO T (A) SELECT read_text(${file})`],
    ["UPDATE … SET getenv", `UPDATE T SET A = getenv(${lit(t.secretVar)})`],
    ["DELETE … WHERE IN read_csv", `DELETE FROM T WHERE A IN (SELECT * FROM read_csv(${file}))`],
  ];
}

/**
 * DuckDB's SET, RESET and PRAGMA of engine settings. Snowflake's `SET x = …` sets a session
 * variable, so a success is a Snowflake answer too; what must not happen is the engine setting
 * changing (file access turned back on, the memory limit lifted).
 */
export function duckdbSettingsSql(): [string, string][] {
  return [
    ["SET enable_external_access", "SET enable_external_access = true"],
    ["SET GLOBAL enable_external_access", "SET GLOBAL enable_external_access = true"],
    ["SET memory_limit", "SET memory_limit = '64GB'"],
    ["SET threads", "SET threads = 64"],
    ["SET temp_directory", "SET temp_directory = '/'"],
    ["SET allowed_directories", "SET allowed_directories = ['/']"],
    ["SET autoload_known_extensions", "SET autoload_known_extensions = true"],
    ["RESET memory_limit", "RESET memory_limit"],
    ["PRAGMA enable_profiling", "PRAGMA enable_profiling = 'json'"],
    ["PRAGMA profiling_output", "PRAGMA profiling_output = '/tmp/liftline-hostile-profile.json'"],
  ];
}

/** Logs in through the SQL API with a valid key-pair JWT; returns the session token. */
export async function sqlLogin(access: EmulatorAccess): Promise<string> {
  const res = await fetch(`${access.url}/session/v1/login-request`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({
      data: { AUTHENTICATOR: "SNOWFLAKE_JWT", TOKEN: access.jwt, LOGIN_NAME: USER },
    }),
  });
  const body = await res.json();
  if (!body.success) throw new Error(`SQL login failed: ${JSON.stringify(body)}`);
  return body.data.token;
}

/** The SQL API: forged session tokens, malformed bodies, compression bombs and hostile SQL. */
export async function sqlAbuse(access: EmulatorAccess): Promise<HostileRequest[]> {
  const session = await sqlLogin(access);
  const sf = (token: string) => ({
    Authorization: `Snowflake Token="${token}"`,
    Accept: "application/json",
    "Content-Type": "application/json",
  });
  const out: HostileRequest[] = [];
  const forged = [
    "forged",
    "",
    '"',
    "a".repeat(64 * 1024),
    access.jwt,
    access.scoped,
    "../../etc/passwd",
  ];
  const sessionEndpoints: [string, string, string][] = [
    ["POST", "/queries/v1/query-request", '{"sqlText":"SELECT 1"}'],
    ["POST", "/session/token-request", '{"oldSessionToken":"x","requestType":"RENEW"}'],
    ["POST", "/session/heartbeat", "{}"],
    ["POST", "/telemetry/send", '{"logs":[]}'],
    ["POST", "/queries/v1/abort-request", "{}"],
    ["POST", "/session?delete=true", ""],
    ["GET", "/queries/00000000-0000-0000-0000-000000000000/result", ""],
  ];
  for (const token of forged) {
    for (const [method, path, body] of sessionEndpoints) {
      out.push({
        category: "bad-session-token",
        name: `${method} ${path.split("?")[0]} with token ${token.slice(0, 12)}`,
        wire: {
          kind: "fetch",
          method,
          path,
          headers: sf(token),
          body: method === "GET" ? undefined : body,
        },
      });
    }
  }
  const bomb = await compressionBomb("gzip", BOMB_BYTES);
  for (let i = 0; i < 4; i++) {
    out.push({
      category: "compression",
      name: `gzip bomb at the login, unauthenticated #${i}`,
      wire: {
        kind: "fetch",
        method: "POST",
        path: "/session/v1/login-request",
        headers: { "Content-Type": "application/json", "Content-Encoding": "gzip" },
        body: bomb,
      },
    });
  }
  // The emulator runs any SQL an authenticated user sends, as Snowflake does: dropping
  // LIFT_RIDE itself would be a legitimate (if unkind) request, so the drops here aim at
  // names built to smuggle a second statement in.
  const statements = [
    'DROP TABLE "LIFT_RIDE""; DROP TABLE LIFT_RIDE; --"',
    "DELETE FROM LIFT_RIDE WHERE TXID = 'x''; DROP TABLE LIFT_RIDE; --'",
    "SELECT * FROM sqlite_master",
    "ATTACH DATABASE '/tmp/liftline-hostile.db' AS x",
    "SELECT 1; DROP TABLE LIFT_RIDE",
    "PRAGMA writable_schema = 1",
    "SELECT load_extension('/tmp/x')",
    "SELECT * FROM LIFT_RIDE WHERE TXID = '' OR 1=1 --",
    "SELECT " + "1+".repeat(50_000) + "1",
    "SELECT " + "(".repeat(10_000) + "1" + ")".repeat(10_000),
    // A recursion that never ends runs as long as it would in Snowflake: the runaway cases,
    // cancelled through abort-request, are hostile_sql_test.ts's. A long but finite one here.
    "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM r WHERE n < 20000) SELECT count(*) FROM r",
    "",
    "\u0000",
    "ALTER DYNAMIC TABLE NOPE REFRESH",
    "SELECT * FROM TABLE(DYNAMIC_TABLE_REFRESH_HISTORY(NAME => '" + "x".repeat(5000) + "'))",
    "-- " + "x".repeat(1024 * 1024),
    ...duckdbSettingsSql().map(([, sql]) => sql),
    ...duckdbOnlySql({
      dir: "/tmp/liftline-hostile-sql",
      secretFile: "/etc/passwd",
      secretVar: "HOME",
    }).map(([, sql]) => sql),
  ];
  for (const sqlText of statements) {
    out.push({
      category: "hostile-sql",
      name: `SQL ${sqlText.slice(0, 30)}`,
      wire: {
        kind: "fetch",
        method: "POST",
        path: "/queries/v1/query-request",
        headers: sf(session),
        body: JSON.stringify({ sqlText }),
      },
    });
  }
  const queryBodies: [string, string | Uint8Array<ArrayBuffer>][] = [
    ["sqlText is a number", '{"sqlText":1}'],
    ["sqlText is an object", '{"sqlText":{"a":1}}'],
    ["bindings is a string", '{"sqlText":"SELECT ?","bindings":"x"}'],
    [
      "binding of unknown type",
      '{"sqlText":"SELECT ?","bindings":{"1":{"type":"EVIL","value":"x"}}}',
    ],
    [
      "binding type is an object (String() of it throws)",
      '{"sqlText":"SELECT ?","bindings":{"1":{"type":{"toString":1},"value":"x"}}}',
    ],
    [
      "binding value is an object",
      '{"sqlText":"SELECT ?","bindings":{"1":{"type":"TEXT","value":{"a":[]}}}}',
    ],
    [
      "binding index 1e9",
      '{"sqlText":"SELECT ?","bindings":{"1000000000":{"type":"FIXED","value":"1"}}}',
    ],
    [
      "10,000 bindings",
      JSON.stringify({
        sqlText: "SELECT ?",
        bindings: Object.fromEntries(
          Array.from({ length: 10_000 }, (_, i) => [String(i + 1), { type: "TEXT", value: "x" }]),
        ),
      }),
    ],
    ["asyncExec", '{"sqlText":"SELECT 1","asyncExec":true}'],
    ["bindStage", '{"sqlText":"SELECT 1","bindStage":"@x"}'],
    ["body is not JSON", "{sqlText:"],
    ["body is invalid UTF-8", bytes('{"sqlText":"SELECT \'', [0xff, 0xfe], "'\"}")],
    ["body is an array", "[]"],
    ["2 MB body", JSON.stringify({ sqlText: "SELECT 1", pad: "x".repeat(2 * 1024 * 1024) })],
  ];
  for (const [name, body] of queryBodies) {
    out.push({
      category: "malformed-json",
      name: `query: ${name}`,
      wire: {
        kind: "fetch",
        method: "POST",
        path: "/queries/v1/query-request",
        headers: sf(session),
        body,
      },
    });
  }
  const loginBodies: [string, string][] = [
    ["no data", "{}"],
    ["data is a string", '{"data":"x"}'],
    [
      "password authenticator",
      JSON.stringify({ data: { AUTHENTICATOR: "SNOWFLAKE", LOGIN_NAME: USER, PASSWORD: "x" } }),
    ],
    [
      "AUTHENTICATOR is an object (String() of it throws)",
      JSON.stringify({ data: { AUTHENTICATOR: { toString: 1 }, TOKEN: access.jwt } }),
    ],
    [
      "TOKEN is an object",
      JSON.stringify({ data: { AUTHENTICATOR: "SNOWFLAKE_JWT", TOKEN: { a: 1 } } }),
    ],
    [
      "another user",
      JSON.stringify({
        data: { AUTHENTICATOR: "SNOWFLAKE_JWT", TOKEN: access.jwt, LOGIN_NAME: "ACCOUNTADMIN" },
      }),
    ],
  ];
  for (const [name, body] of loginBodies) {
    out.push({
      category: "malformed-json",
      name: `login: ${name}`,
      wire: {
        kind: "fetch",
        method: "POST",
        path: "/session/v1/login-request?databaseName=%00&roleName=" + "R".repeat(5000),
        headers: { "Content-Type": "application/json" },
        body,
      },
    });
  }
  return out;
}
