/**
 * The command table: names, one-line summaries, switches and help text. Only commands that work
 * are listed; a command arrives here with the issue that builds it.
 *
 * @module
 */

/** A command's static description. */
export interface CommandSpec {
  /** The command name. */
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Switches (flags without a value) the command accepts, besides --help and --quiet. */
  switches: string[];
  /** The command's help text, after the usage line. */
  help: string;
}

const COMMON_SETTINGS = `Settings (flag, or environment variable, or .env; flags win):
  --data-dir DATA_DIR                 data folder (default ./data): queue.db, warehouse.duckdb, keys
  --target TARGET                     local | snowflake (default snowflake when SNOWFLAKE_ACCOUNT is set)
  --log-format LOG_FORMAT             text | json (default text)
  --quiet                             only warnings and errors`;

const TARGET_SETTINGS = `Target (a real account):
  --snowflake-account SNOWFLAKE_ACCOUNT   account identifier (org-account or locator)
  --snowflake-host SNOWFLAKE_HOST         account host, if not <account>.snowflakecomputing.com
  --snowflake-user SNOWFLAKE_USER         user (default STREAMING_INGEST)
  PRIVATE_KEY (env/.env only)             PKCS#8 PEM text, or
  --private-key-file PRIVATE_KEY_FILE     path to the PKCS#8 PEM file
  --snowflake-role SNOWFLAKE_ROLE         role for the scoped token (default: the user's default)
  --snowflake-warehouse SNOWFLAKE_WAREHOUSE   warehouse the dashboard's queries run on
                                          (default STREAMING_INGEST)
  --database-name DATABASE_NAME           (default STREAMING_INGEST)
  --schema-name SCHEMA_NAME               (default STREAMING_INGEST)
  --resort-ticket-pipe-name, --season-pass-pipe-name, --lift-ride-pipe-name   pipe names
  --client-name CLIENT_NAME               client name, the channels' default prefix (default LIFTLINE)
  --channel-name CHANNEL_NAME             channel name prefix (default CLIENT_NAME + instance id)
Local target (the embedded emulator):
  --emulator-url EMULATOR_URL             use an emulator already running instead of an embedded one
  --emulator-commit-delay-ms EMULATOR_COMMIT_DELAY_MS   commit delay (default 1000)
  --emulator-faults EMULATOR_FAULTS       http429=P,http500=P,http503=P,reset=P,latency=MS,invalidate=S,token_ttl=S`;

const CHANNELS_SETTING =
  `  --stream-channels STREAM_CHANNELS                     channels per table, 1-2000 (default 4); each
                                                        row is queued for one of them by its TXID`;

const GENERATOR_SETTINGS = `Generator:
  --speed SPEED                       TURTLE | LLAMA | CHEETAH | MAX (default CHEETAH)
  --tickets-per-day TICKETS_PER_DAY   ticket sales per simulated day (default 8500)
  --seed SEED                         fixed seed: same options, same rows byte for byte
  --start-time START_TIME             world start (default 14:00 UTC today), ISO-8601 with offset
  --until UNTIL                       world time at which generation stops
  --queue-max-rows QUEUE_MAX_ROWS     per-table queue cap; the world clock pauses at it (default 500000)`;

/** `generate` queues each row for the channel that will stream it. */
const GENERATE_SETTINGS = `${GENERATOR_SETTINGS}
  --stream-channels STREAM_CHANNELS   channels per table (default 4): each row is queued for one`;

const STREAMER_SETTINGS = `Streamer:
${CHANNELS_SETTING}
  --stream-batch-rows STREAM_BATCH_ROWS                 rows per append request (default 10000)
  --stream-max-inflight-rows STREAM_MAX_INFLIGHT_ROWS   rows appended and not yet committed, per
                                                        channel, before appending waits (default 100000)`;

const SERVER_SETTINGS = `Server:
  --host HOST                         listen address (default 127.0.0.1)
  --port PORT                         listen port (default 8000)`;

/** Every command that works today. */
export const COMMANDS: readonly CommandSpec[] = [
  {
    name: "run",
    summary: "generator, streamer and dashboard in one process (default)",
    switches: ["drain"],
    help: `Runs the generator, the streamer and the HTTP server (the dashboard at /, /healthz,
/readyz, /metrics, /api/status) as concurrent tasks. With no Snowflake account configured it
also runs the embedded emulator in this process (SQL clients reach it on an ephemeral loopback
port); the streamer hands it its requests in process, without a socket.
With UNTIL set, generation stops there; streaming and serving go on.
  --drain                             exit 0 once UNTIL is reached and every row is committed

${GENERATOR_SETTINGS}

${STREAMER_SETTINGS}

${SERVER_SETTINGS}

${TARGET_SETTINGS}

${COMMON_SETTINGS}`,
  },
  {
    name: "serve",
    summary: "the dashboard, health and metrics only, reading the configured target",
    switches: [],
    help: `Serves the dashboard (/, /resorts/{name}, /pipeline), /healthz, /readyz, /metrics and
/api/status over the configured target: a real account through snowflake-sdk, an emulator at
EMULATOR_URL, or (TARGET=local without EMULATOR_URL) an embedded emulator, so that the dynamic
tables of DATA_DIR/warehouse.duckdb keep refreshing. Runs until SIGINT or SIGTERM.

${SERVER_SETTINGS}

${TARGET_SETTINGS}

${COMMON_SETTINGS}`,
  },
  {
    name: "generate",
    summary: "generator only: fills the local queue",
    switches: [],
    help: `Simulates the resorts and writes every row to the local queue (DATA_DIR/queue.db).
With UNTIL set, exits 0 once world time reaches it and every row is in the queue.

${GENERATE_SETTINGS}

${COMMON_SETTINGS}`,
  },
  {
    name: "stream",
    summary: "streamer only: drains the local queue into the target",
    switches: ["drain"],
    help: `Streams the local queue into the target, STREAM_CHANNELS channels per table, deleting a
row only after the target reports it committed. Rows queued for channels beyond STREAM_CHANNELS
(by an earlier run with more) are streamed through their own channels until none is left.
  --drain                             exit 0 once the queue is empty and every row is committed

${STREAMER_SETTINGS}

${TARGET_SETTINGS}

${COMMON_SETTINGS}`,
  },
  {
    name: "emulator",
    summary: "the embedded Snowflake emulator alone, on HOST:PORT",
    switches: [],
    help: `Serves the Snowpipe Streaming v2 REST API and the SQL endpoints snowflake-sdk uses,
backed by DATA_DIR/warehouse.duckdb, trusting the key pair in DATA_DIR (created on first start).
Other liftline processes reach it with EMULATOR_URL=http://HOST:PORT.

${SERVER_SETTINGS}
  --emulator-commit-delay-ms EMULATOR_COMMIT_DELAY_MS   commit delay (default 1000)
  --emulator-faults EMULATOR_FAULTS       http429=P,http500=P,http503=P,reset=P,latency=MS,invalidate=S,token_ttl=S
  --snowflake-account SNOWFLAKE_ACCOUNT   account it plays (default LIFTLINE)

${COMMON_SETTINGS}`,
  },
  {
    name: "setup",
    summary: "print the Snowflake SQL for this configuration; --apply runs it",
    switches: ["apply"],
    help: `Prints, in order, the SQL that creates the warehouse, role, user, database, schema,
tables, pipes, dynamic tables and views for this configuration.
  --apply                             run it through snowflake-sdk as the configured user,
                                      stopping at the first failure

${TARGET_SETTINGS}

${COMMON_SETTINGS}`,
  },
  {
    name: "keygen",
    summary: "create an RSA key pair in the data folder and print ALTER USER … RSA_PUBLIC_KEY",
    switches: ["force"],
    help: `Creates an RSA-2048 key pair with Web Crypto: DATA_DIR/rsa_key.p8 (PKCS#8 PEM,
owner-only) and DATA_DIR/rsa_key.pub, then prints the public key, its fingerprint and the
ALTER USER statement that registers it.
  --force                             replace an existing key pair

  --snowflake-user SNOWFLAKE_USER     user named in the statement (default STREAMING_INGEST)
${COMMON_SETTINGS}`,
  },
  {
    name: "jwt",
    summary: "print a key-pair JWT for the configured user (curl, the SQL API)",
    switches: [],
    help: `Prints a JWT signed with the configured private key (PRIVATE_KEY, PRIVATE_KEY_FILE or
DATA_DIR/rsa_key.p8), valid for 59 minutes, for clients without a driver:
  curl -H "Authorization: Bearer $(liftline jwt)" \\
       -H "X-Snowflake-Authorization-Token-Type: KEYPAIR_JWT" …/api/v2/statements

  --snowflake-account SNOWFLAKE_ACCOUNT   account in the claims (default LIFTLINE, the emulator's)
  --snowflake-user SNOWFLAKE_USER     user in the claims (default STREAMING_INGEST)
${COMMON_SETTINGS}`,
  },
  {
    name: "check",
    summary: "validate the configuration, authenticate and reach the target",
    switches: [],
    help: `Validates the configuration, authenticates with the key pair, reaches the target's
streaming endpoints and says what would be used. Exits 0 only if all of that works.

${TARGET_SETTINGS}

${COMMON_SETTINGS}`,
  },
];

/** Looks up a command by name. */
export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}

/** The program's help text. */
export function programHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const list = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join("\n");
  return `liftline: stream ski-resort events into Snowflake (or its embedded emulator) and report on them

Usage: liftline [command] [flags]

Commands:
${list}

Run 'liftline <command> --help' for a command's flags. Every flag has an environment variable
of the same name in upper case (--data-dir = DATA_DIR); .env in the working folder is read.
Exit codes: 0 success, 2 bad configuration or usage, 1 anything else.`;
}

/** A command's help text. */
export function commandHelp(spec: CommandSpec): string {
  return `Usage: liftline ${spec.name} [flags]\n\n${spec.help}`;
}
