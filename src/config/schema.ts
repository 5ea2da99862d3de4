/**
 * The one schema for every liftline setting (the README's "Configuration" explains the choices).
 *
 * Each setting has an environment-variable name (the public lab's names where it had one) and a
 * kebab-case flag. Values arrive as strings from flags, the environment or `.env`; the schema turns
 * them into typed values or fails naming the variable.
 *
 * @module
 */
import { z } from "zod";

/**
 * Rows the streamer reads from the queue for one append request (default of `STREAM_BATCH_ROWS`).
 * Snowflake takes about ten append requests a second per channel, and the streamer keeps to that,
 * so this sets a channel's top speed: 10,000 rows (about 2 MB of rides) carry 100,000 rows/s, near
 * the 20 MB/s a channel loads. It also sets memory: with the embedded emulator every copy of a
 * batch on its way is in this one process. Over 90 s of `run --speed MAX` (bench group `run`),
 * 10,000 rows peaked at 338–367 MB in three runs and 12,000 at 387 MB.
 */
export const DEFAULT_STREAM_BATCH_ROWS = 10_000;

/**
 * Rows per table appended and not yet committed before the streamer waits (default of
 * `STREAM_MAX_INFLIGHT_ROWS`): more than two seconds of rides at full speed, so a one-second commit
 * delay never stalls the stream, while the embedded emulator buffers at most about 20 MB of rides
 * per channel.
 */
export const DEFAULT_STREAM_MAX_INFLIGHT_ROWS = 100_000;

/**
 * Snowpipe Streaming channels per table (default of `STREAM_CHANNELS`). One channel is paced to
 * Snowflake's ten append requests a second, so LIFT_RIDE (nine rows in ten) tops out at
 * 10 × STREAM_BATCH_ROWS rows/s on one; four lift it past what this process can generate and
 * load at full speed on two cores (`streamer_rows_per_s_by_channels` in `deno task bench
 * streamer` shows where more stop paying).
 */
export const DEFAULT_STREAM_CHANNELS = 4;

/** Snowflake's limit of channels per pipe, hence the most `STREAM_CHANNELS` may ask for. */
export const MAX_STREAM_CHANNELS = 2000;

/** World-clock speeds: real time × multiplier, or `MAX` (as fast as the machine allows). */
export const SPEEDS = ["TURTLE", "LLAMA", "CHEETAH", "MAX"] as const;
/** A world-clock speed name. */
export type Speed = (typeof SPEEDS)[number];

const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

const optionalText = z.preprocess(blankToUndefined, z.string().trim().optional());

const identifier = (fallback: string) =>
  z.preprocess(
    blankToUndefined,
    z.string().trim().regex(
      /^[A-Za-z_][A-Za-z0-9_$]*$/,
      "must be a Snowflake identifier (letters, digits, _ or $, not starting with a digit)",
    ).default(fallback),
  );

/** Decimal digits only: `0x10`, `1e3` and `12.0` are not the whole numbers a setting takes. */
const decimalDigits = (v: unknown) => {
  const b = blankToUndefined(v);
  return typeof b === "string" && !/^\s*[+-]?\d+\s*$/.test(b) ? NaN : b;
};

const positiveInt = (fallback: number, max = Number.MAX_SAFE_INTEGER) =>
  z.preprocess(
    decimalDigits,
    z.coerce.number({ message: "must be a whole number" }).int("must be a whole number")
      .positive("must be greater than 0").max(max, `must be at most ${max}`).default(fallback),
  );

const nonNegativeInt = (fallback: number) =>
  z.preprocess(
    decimalDigits,
    z.coerce.number({ message: "must be a whole number" }).int("must be a whole number")
      .min(0, "must be 0 or more").default(fallback),
  );

/** The years a world clock may start or stop in. */
const MIN_YEAR = 1970;
const MAX_YEAR = 9000;

const isoInstant = z.preprocess(
  blankToUndefined,
  z.string().trim().optional().transform((v, ctx) => {
    if (v === undefined) return undefined;
    // A bare date means midnight UTC; anything else must carry its offset so that runs are
    // reproducible whatever the machine's time zone is.
    const text = /^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v;
    const ok = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text);
    const ms = ok ? Date.parse(text) : NaN;
    // A day the calendar does not have (2026-02-30) is refused, not moved to the next month.
    const [y, m, d] = text.slice(0, 10).split("-").map(Number);
    const day = new Date(Date.UTC(2000, m - 1, d));
    const real = day.getUTCMonth() === m - 1 && day.getUTCDate() === d &&
      (m !== 2 || d !== 29 || (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)));
    if (Number.isNaN(ms) || !real) {
      ctx.addIssue({
        code: "custom",
        message: "must be an ISO-8601 time with offset, e.g. 2026-11-25T14:00:00Z, or a date",
      });
      return z.NEVER;
    }
    // Rows carry four-digit years, and the simulation's local days need a real calendar year.
    if (y < MIN_YEAR || y > MAX_YEAR) {
      ctx.addIssue({ code: "custom", message: `must be in the years ${MIN_YEAR} to ${MAX_YEAR}` });
      return z.NEVER;
    }
    return new Date(ms);
  }),
);

/** A host name (RFC 1123 labels), an IPv4 address (each part 0-255) or an IPv6 address. */
function isHost(v: string): boolean {
  if (v.includes(":")) return /^\[?[0-9A-Fa-f:.]+\]?$/.test(v);
  const labels = v.split(".");
  if (labels.every((l) => /^\d+$/.test(l))) {
    return labels.length === 4 && labels.every((l) => Number(l) <= 255);
  }
  return v.length <= 253 &&
    labels.every((l) => /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(l));
}

/** Settings as they appear after parsing. Field names are the environment-variable names. */
export const configSchema = z.object({
  SNOWFLAKE_ACCOUNT: z.preprocess(
    blankToUndefined,
    z.string().trim().regex(
      /^[A-Za-z0-9][A-Za-z0-9_.-]*$/,
      "must be an account identifier (orgname-account, or a locator such as xy12345.eu-west-1)",
    ).optional(),
  ),
  SNOWFLAKE_HOST: optionalText,
  SNOWFLAKE_USER: identifier("STREAMING_INGEST"),
  PRIVATE_KEY: optionalText,
  PRIVATE_KEY_FILE: optionalText,
  SNOWFLAKE_ROLE: z.preprocess(
    blankToUndefined,
    z.string().trim().regex(/^[A-Za-z_][A-Za-z0-9_$]*$/, "must be a Snowflake identifier")
      .optional(),
  ),
  SNOWFLAKE_WAREHOUSE: identifier("STREAMING_INGEST"),
  DATABASE_NAME: identifier("STREAMING_INGEST"),
  SCHEMA_NAME: identifier("STREAMING_INGEST"),
  CLIENT_NAME: z.preprocess(
    blankToUndefined,
    z.string().trim().regex(/^[A-Za-z0-9_.-]{1,64}$/, "must be 1-64 letters, digits, _ . or -")
      .default("LIFTLINE"),
  ),
  RESORT_TICKET_PIPE_NAME: identifier("RESORT_TICKET_PIPE"),
  SEASON_PASS_PIPE_NAME: identifier("SEASON_PASS_PIPE"),
  LIFT_RIDE_PIPE_NAME: identifier("LIFT_RIDE_PIPE"),
  CHANNEL_NAME: z.preprocess(
    blankToUndefined,
    z.string().trim().regex(/^[A-Za-z0-9_.-]{1,128}$/, "must be 1-128 letters, digits, _ . or -")
      .optional(),
  ),
  SPEED: z.preprocess(
    (v) => (typeof v === "string" && v.trim() !== "" ? v.trim().toUpperCase() : undefined),
    z.enum(SPEEDS, { message: `must be one of ${SPEEDS.join(", ")}` }).default("CHEETAH"),
  ),
  TARGET: z.preprocess(
    (v) => (typeof v === "string" && v.trim() !== "" ? v.trim().toLowerCase() : undefined),
    z.enum(["local", "snowflake"], { message: "must be local or snowflake" }).optional(),
  ),
  EMULATOR_URL: z.preprocess(
    blankToUndefined,
    z.url({ protocol: /^https?$/, message: "must be an http(s) URL" }).optional(),
  ),
  EMULATOR_COMMIT_DELAY_MS: nonNegativeInt(1000),
  EMULATOR_FAULTS: optionalText,
  TICKETS_PER_DAY: positiveInt(8500, 10_000_000),
  QUEUE_MAX_ROWS: positiveInt(500_000),
  STREAM_BATCH_ROWS: positiveInt(DEFAULT_STREAM_BATCH_ROWS, 1_000_000),
  STREAM_MAX_INFLIGHT_ROWS: positiveInt(DEFAULT_STREAM_MAX_INFLIGHT_ROWS),
  STREAM_CHANNELS: positiveInt(DEFAULT_STREAM_CHANNELS, MAX_STREAM_CHANNELS),
  SEED: z.preprocess(
    blankToUndefined,
    z.string().trim().max(200, "must be at most 200 characters").optional(),
  ),
  START_TIME: isoInstant,
  UNTIL: isoInstant,
  DATA_DIR: z.preprocess(blankToUndefined, z.string().default("./data")),
  HOST: z.preprocess(
    blankToUndefined,
    z.string().trim().refine(isHost, "must be a host name or an IP address").default("127.0.0.1"),
  ),
  PORT: z.preprocess(
    blankToUndefined,
    z.coerce.number({ message: "must be a port number" }).int("must be a port number")
      .min(0, "must be between 0 and 65535").max(65535, "must be between 0 and 65535")
      .default(8000),
  ),
  LOG_FORMAT: z.preprocess(
    (v) => (typeof v === "string" && v.trim() !== "" ? v.trim().toLowerCase() : undefined),
    z.enum(["text", "json"], { message: "must be text or json" }).default("text"),
  ),
  QUIET: z.preprocess(
    (v) => (typeof v === "string" && v.trim() !== "" ? v.trim().toLowerCase() : undefined),
    z.enum(["true", "false", "1", "0", "yes", "no"], { message: "must be true or false" })
      .default("false").transform((v) => v === "true" || v === "1" || v === "yes"),
  ),
});

/** Parsed settings, before derived values are added. */
export type RawConfig = z.infer<typeof configSchema>;

/** Every setting name the schema knows, in declaration order. */
export const SETTING_NAMES = Object.keys(configSchema.shape) as (keyof RawConfig)[];

/** Settings holding secrets: never printed, logged or echoed in an error. */
export const SECRET_SETTINGS: ReadonlySet<string> = new Set(["PRIVATE_KEY"]);
