import assert from "node:assert/strict";
import { buildConfig, ConfigError, parseArgs } from "../../src/config/load.ts";

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e}`);
    return e;
  }
  assert.fail("expected a ConfigError");
}

Deno.test("defaults: local target, lab names, CHEETAH", () => {
  const c = buildConfig({});
  assert.equal(c.target, "local");
  assert.equal(c.SPEED, "CHEETAH");
  assert.equal(c.SNOWFLAKE_USER, "STREAMING_INGEST");
  assert.equal(c.DATABASE_NAME, "STREAMING_INGEST");
  assert.deepEqual(c.pipes, {
    RESORT_TICKET: "RESORT_TICKET_PIPE",
    SEASON_PASS: "SEASON_PASS_PIPE",
    LIFT_RIDE: "LIFT_RIDE_PIPE",
  });
  assert.equal(c.PORT, 8000);
  assert.equal(c.HOST, "127.0.0.1");
  assert.ok(c.dataDir.endsWith("/data"));
});

Deno.test("the lab's .env.example variables work unchanged", () => {
  const c = buildConfig({
    SNOWFLAKE_ACCOUNT: "myorg-myacct",
    SNOWFLAKE_HOST: "myorg-myacct.snowflakecomputing.com",
    SNOWFLAKE_USER: "STREAMING_INGEST",
    DATABASE_NAME: "STREAMING_INGEST",
    SCHEMA_NAME: "STREAMING_INGEST",
    CLIENT_NAME: "SUMMIT2025-DE214",
    RESORT_TICKET_PIPE_NAME: "RT_PIPE",
    SEASON_PASS_PIPE_NAME: "SP_PIPE",
    LIFT_RIDE_PIPE_NAME: "LR_PIPE",
    SPEED: "TURTLE",
    PRIVATE_KEY: "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----",
  });
  assert.equal(c.target, "snowflake");
  assert.equal(c.SPEED, "TURTLE");
  assert.equal(c.CLIENT_NAME, "SUMMIT2025-DE214");
  assert.equal(c.pipes.LIFT_RIDE, "LR_PIPE");
});

Deno.test("precedence: flags over environment over .env", () => {
  const dotenv = { SPEED: "TURTLE", PORT: "1111", TICKETS_PER_DAY: "10" };
  const env = { SPEED: "LLAMA", PORT: "2222" };
  const flags = { SPEED: "MAX" };
  const c = buildConfig(dotenv, env, flags);
  assert.equal(c.SPEED, "MAX");
  assert.equal(c.PORT, 2222);
  assert.equal(c.TICKETS_PER_DAY, 10);
});

Deno.test("each invalid value names its variable", () => {
  const cases: [Record<string, string>, string, RegExp][] = [
    [{ SPEED: "WARP" }, "SPEED", /TURTLE, LLAMA, CHEETAH, MAX/],
    [{ PORT: "70000" }, "PORT", /65535/],
    [{ PORT: "eighty" }, "PORT", /port/],
    [{ TICKETS_PER_DAY: "0" }, "TICKETS_PER_DAY", /greater than 0/],
    [{ TICKETS_PER_DAY: "1.5" }, "TICKETS_PER_DAY", /whole number/],
    [{ QUEUE_MAX_ROWS: "-3" }, "QUEUE_MAX_ROWS", /greater than 0/],
    [{ EMULATOR_COMMIT_DELAY_MS: "-1" }, "EMULATOR_COMMIT_DELAY_MS", /0 or more/],
    [{ TARGET: "cloud" }, "TARGET", /local or snowflake/],
    [{ TARGET: "snowflake" }, "SNOWFLAKE_ACCOUNT", /required/],
    [{ START_TIME: "yesterday" }, "START_TIME", /ISO-8601/],
    [{ START_TIME: "2026-11-25T14:00:00" }, "START_TIME", /offset/],
    [{ UNTIL: "2026-13-45T00:00:00Z" }, "UNTIL", /ISO-8601/],
    [
      { START_TIME: "2026-11-25T14:00:00Z", UNTIL: "2026-11-25T13:00:00Z" },
      "UNTIL",
      /later than START_TIME/,
    ],
    [{ DATABASE_NAME: "my db" }, "DATABASE_NAME", /identifier/],
    [{ LIFT_RIDE_PIPE_NAME: "1PIPE" }, "LIFT_RIDE_PIPE_NAME", /identifier/],
    [{ EMULATOR_URL: "ftp://x" }, "EMULATOR_URL", /http/],
    [{ LOG_FORMAT: "xml" }, "LOG_FORMAT", /text or json/],
    [{ CHANNEL_NAME: "a b" }, "CHANNEL_NAME", /letters/],
    [{ PRIVATE_KEY: "not a key" }, "PRIVATE_KEY", /PEM/],
    // Numbers are decimal digits: hexadecimal and exponents are typos, not values.
    [{ TICKETS_PER_DAY: "0x10" }, "TICKETS_PER_DAY", /whole number/],
    [{ QUEUE_MAX_ROWS: "1e3" }, "QUEUE_MAX_ROWS", /whole number/],
    // A day the calendar does not have, and years whose rows could not be written.
    [{ START_TIME: "2026-02-30" }, "START_TIME", /ISO-8601/],
    [{ START_TIME: "2026-02-29T08:00:00Z" }, "START_TIME", /ISO-8601/],
    [{ START_TIME: "0099-01-01" }, "START_TIME", /years 1970 to 9000/],
    [{ UNTIL: "9999-12-31T23:00:00Z" }, "UNTIL", /years 1970 to 9000/],
    [{ HOST: "not a host" }, "HOST", /host name or an IP address/],
    [{ HOST: "999.1.1.1" }, "HOST", /host name or an IP address/],
    [{ SNOWFLAKE_ACCOUNT: "a b/c" }, "SNOWFLAKE_ACCOUNT", /account identifier/],
    // Refused before anything starts (it used to be read once the web server was serving).
    [{ EMULATOR_FAULTS: "http429=2" }, "EMULATOR_FAULTS", /probability/],
    [{ EMULATOR_FAULTS: "chaos=1" }, "EMULATOR_FAULTS", /unknown key/],
  ];
  for (const [input, variable, problem] of cases) {
    const e = errorOf(() => buildConfig(input));
    assert.equal(e.variable, variable, `input ${JSON.stringify(input)}`);
    assert.match(e.message, problem, `input ${JSON.stringify(input)}`);
    assert.ok(e.message.startsWith(variable), e.message);
    assert.ok(!e.message.includes("\n"), "one line");
  }
});

Deno.test("a private key is never echoed in an error", () => {
  const secret = "-----BEGIN PRIVATE KEY-----\nSECRETSECRET\n-----END PRIVATE KEY-----";
  const e = errorOf(() =>
    buildConfig({ PRIVATE_KEY: secret, PRIVATE_KEY_FILE: "/tmp/k.p8", SNOWFLAKE_ACCOUNT: "a" })
  );
  assert.equal(e.variable, "PRIVATE_KEY_FILE");
  assert.ok(!e.message.includes("SECRET"));
  const e2 = errorOf(() => buildConfig({ PRIVATE_KEY: "SECRETSECRET" }));
  assert.ok(!e2.message.includes("SECRET"));
});

Deno.test("flags: --name value, --name=value, switches, unknown flags", () => {
  const a = parseArgs(["generate", "--speed", "MAX", "--until=2026-11-26T00:00:00Z", "--quiet"]);
  assert.equal(a.command, "generate");
  assert.equal(a.settings.SPEED, "MAX");
  assert.equal(a.settings.UNTIL, "2026-11-26T00:00:00Z");
  assert.equal(a.settings.QUIET, "true");
  const b = parseArgs(["stream", "--drain"], ["drain"]);
  assert.ok(b.switches.has("drain"));
  assert.equal(errorOf(() => parseArgs(["--bogus"])).variable, "--bogus");
  assert.equal(errorOf(() => parseArgs(["--speed"])).variable, "--speed");
  assert.equal(errorOf(() => parseArgs(["--drain=yes"], ["drain"])).variable, "--drain");
});

Deno.test("streamer memory bounds: defaults, flags, and bad values named", () => {
  const d = buildConfig({});
  assert.equal(d.STREAM_BATCH_ROWS, 10_000);
  assert.equal(d.STREAM_MAX_INFLIGHT_ROWS, 100_000);
  const flags = parseArgs([
    "run",
    "--stream-batch-rows",
    "2000",
    "--stream-max-inflight-rows=8000",
  ]);
  const c = buildConfig({ STREAM_BATCH_ROWS: "9000" }, flags.settings);
  assert.equal(c.STREAM_BATCH_ROWS, 2000, "the flag wins over the environment");
  assert.equal(c.STREAM_MAX_INFLIGHT_ROWS, 8000);
  const cases: [Record<string, string>, string, RegExp][] = [
    [{ STREAM_BATCH_ROWS: "0" }, "STREAM_BATCH_ROWS", /greater than 0/],
    [{ STREAM_BATCH_ROWS: "2.5" }, "STREAM_BATCH_ROWS", /whole number/],
    [{ STREAM_BATCH_ROWS: "lots" }, "STREAM_BATCH_ROWS", /whole number/],
    [{ STREAM_BATCH_ROWS: "2000000" }, "STREAM_BATCH_ROWS", /at most 1000000/],
    [{ STREAM_MAX_INFLIGHT_ROWS: "-5" }, "STREAM_MAX_INFLIGHT_ROWS", /greater than 0/],
    [{ STREAM_MAX_INFLIGHT_ROWS: "1e3x" }, "STREAM_MAX_INFLIGHT_ROWS", /whole number/],
  ];
  for (const [input, variable, problem] of cases) {
    const e = errorOf(() => buildConfig(input));
    assert.equal(e.variable, variable, `input ${JSON.stringify(input)}`);
    assert.match(e.message, problem, `input ${JSON.stringify(input)}`);
    assert.ok(e.message.startsWith(variable), e.message);
  }
});

Deno.test("channels per table: default, flag over environment, and the 1..2000 range named", () => {
  assert.equal(buildConfig({}).STREAM_CHANNELS, 4);
  const flags = parseArgs(["stream", "--stream-channels", "8"]);
  assert.equal(buildConfig({ STREAM_CHANNELS: "2" }, flags.settings).STREAM_CHANNELS, 8);
  assert.equal(buildConfig({ STREAM_CHANNELS: "2000" }).STREAM_CHANNELS, 2000);
  const cases: [string, RegExp][] = [
    ["0", /greater than 0/],
    ["-1", /greater than 0/],
    ["2001", /at most 2000/],
    ["1.5", /whole number/],
    ["four", /whole number/],
  ];
  for (const [value, problem] of cases) {
    const e = errorOf(() => buildConfig({ STREAM_CHANNELS: value }));
    assert.equal(e.variable, "STREAM_CHANNELS", value);
    assert.match(e.message, problem, value);
  }
});

Deno.test("good hosts, leap days and account identifiers are taken", () => {
  for (const HOST of ["localhost", "0.0.0.0", "127.0.0.1", "::1", "[::1]", "my-host.example.com"]) {
    assert.equal(buildConfig({ HOST }).HOST, HOST);
  }
  assert.equal(
    buildConfig({ START_TIME: "2024-02-29" }).START_TIME?.toISOString(),
    "2024-02-29T00:00:00.000Z",
  );
  for (const account of ["myorg-myaccount", "xy12345.eu-west-1", "xy12345.us-east-2.aws"]) {
    assert.equal(buildConfig({ SNOWFLAKE_ACCOUNT: account }).SNOWFLAKE_ACCOUNT, account);
  }
});
