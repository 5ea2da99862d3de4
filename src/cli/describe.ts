/**
 * What a configuration would use, as printable lines (no secrets).
 *
 * @module
 */
import type { Config } from "../config/load.ts";
import { TABLES } from "../config/load.ts";

/** Lines describing the configuration's effective settings, for `check`. */
export function describeConfig(config: Config, keySource: string, fingerprint?: string): string[] {
  const lines = [
    `target:     ${config.target}${
      config.target === "local"
        ? config.EMULATOR_URL ? ` (emulator at ${config.EMULATOR_URL})` : " (embedded emulator)"
        : ""
    }`,
  ];
  if (config.target === "snowflake") {
    lines.push(`account:    ${config.SNOWFLAKE_ACCOUNT}`);
    lines.push(
      `host:       ${
        config.SNOWFLAKE_HOST ?? `${config.SNOWFLAKE_ACCOUNT}.snowflakecomputing.com`
      }`,
    );
  }
  lines.push(
    `user:       ${config.SNOWFLAKE_USER}${
      config.SNOWFLAKE_ROLE ? ` (role ${config.SNOWFLAKE_ROLE})` : ""
    }`,
    `key:        ${keySource}${fingerprint ? ` ${fingerprint}` : ""}`,
    `database:   ${config.DATABASE_NAME}.${config.SCHEMA_NAME}`,
    `pipes:      ${TABLES.map((t) => `${t} -> ${config.pipes[t]}`).join(", ")}`,
    `channels:   ${config.STREAM_CHANNELS} per table`,
    `data dir:   ${config.dataDir}`,
    `generator:  speed ${config.SPEED}, ${config.TICKETS_PER_DAY} tickets/day, queue cap ${config.QUEUE_MAX_ROWS} rows/table${
      config.SEED ? `, seed ${JSON.stringify(config.SEED)}` : ""
    }`,
    `http:       ${config.HOST}:${config.PORT}`,
  );
  return lines;
}
