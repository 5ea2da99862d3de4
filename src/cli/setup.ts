/**
 * `liftline setup`: the Snowflake SQL for this configuration — warehouse, role, service user and
 * its key, database, schema, the raw tables, their pipes, RESORT_CAPACITY, the dynamic tables, the
 * views and the lift-performance function — printed, or applied through snowflake-sdk
 * (`--apply`), statement by statement, stopping at the first failure.
 *
 * The names come from the configuration (DATABASE_NAME, SCHEMA_NAME, SNOWFLAKE_WAREHOUSE,
 * SNOWFLAKE_ROLE — by default the warehouse's name, as in the lab —, SNOWFLAKE_USER and the pipe
 * names), validated as plain identifiers before anything is rendered. Every statement is safe to
 * run twice: IF NOT EXISTS for what holds data, OR REPLACE only for dynamic tables, views and the
 * function.
 *
 * @module
 */
import type { Config } from "../config/load.ts";
import { publicKeyBody, publicKeyPemFromPrivate } from "../snowflake/keys.ts";
import {
  sdkOptionsFromConfig,
  SnowflakeSql,
  type SnowflakeSqlOptions,
  type SqlBind,
} from "../snowflake/sdk.ts";
import { resortCapacityRows, setupScript, type SetupStatement } from "../../sql/render.ts";
import facts from "../generator/resorts.json" with { type: "json" };

export type { SetupStatement } from "../../sql/render.ts";

/** The role setup creates: SNOWFLAKE_ROLE, else the warehouse's name (the lab's convention). */
export function setupRole(config: Pick<Config, "SNOWFLAKE_ROLE" | "SNOWFLAKE_WAREHOUSE">): string {
  return config.SNOWFLAKE_ROLE ?? config.SNOWFLAKE_WAREHOUSE;
}

/**
 * The setup statements for `config`, in order. Without `publicKeyPem` the `ALTER USER … SET
 * RSA_PUBLIC_KEY` statement is left out (run `liftline keygen` to make a key).
 */
export function setupStatements(config: Config, publicKeyPem?: string): SetupStatement[] {
  return setupScript(
    {
      warehouse: config.SNOWFLAKE_WAREHOUSE,
      role: setupRole(config),
      database: config.DATABASE_NAME,
      schema: config.SCHEMA_NAME,
      user: config.SNOWFLAKE_USER,
      pipes: config.pipes,
      rsaPublicKey: publicKeyPem ? publicKeyBody(publicKeyPem) : undefined,
    },
    resortCapacityRows(facts),
  );
}

/** The script `liftline setup` prints: every statement, each ending with `;`, with its label. */
export function printSetup(config: Config, publicKeyPem?: string): string {
  const lines = [
    `-- liftline setup for database ${config.DATABASE_NAME}, schema ${config.SCHEMA_NAME},`,
    `-- warehouse ${config.SNOWFLAKE_WAREHOUSE}, role ${
      setupRole(config)
    }, user ${config.SNOWFLAKE_USER}.`,
    "-- Run as a role that may create warehouses, roles, users and databases (e.g. ACCOUNTADMIN).",
    "-- Safe to run again: nothing that holds data is replaced.",
  ];
  if (!publicKeyPem) {
    lines.push(
      "-- No public key was found: ALTER USER … SET RSA_PUBLIC_KEY is left out.",
      "-- Run `liftline keygen` and print this again, or register your own key.",
    );
  }
  lines.push("");
  for (const s of setupStatements(config, publicKeyPem)) {
    lines.push(`-- ${s.label}`, `${s.sql};`, "");
  }
  return lines.join("\n");
}

/** A statement Snowflake (or the emulator) refused. */
export class SetupError extends Error {
  /** The statement that failed. */
  readonly statement: SetupStatement;
  /** Its position (1-based) and how many there are. */
  readonly position: number;
  readonly total: number;
  /** Snowflake's error code, SQLSTATE and message. */
  readonly code: string | undefined;
  readonly sqlState: string | undefined;
  readonly snowflakeMessage: string;
  constructor(
    statement: SetupStatement,
    position: number,
    total: number,
    cause: { code?: string; sqlState?: string; message: string },
  ) {
    super(
      `setup statement ${position} of ${total} failed (${statement.label}): ` +
        `${cause.code ? `${cause.code}: ` : ""}${cause.message}\n${statement.sql}`,
      { cause },
    );
    this.name = "SetupError";
    this.statement = statement;
    this.position = position;
    this.total = total;
    this.code = cause.code;
    this.sqlState = cause.sqlState;
    this.snowflakeMessage = cause.message;
  }
}

/** A connection as {@link applySetup} uses it. */
export interface SetupConnection {
  query(sql: string, binds?: readonly SqlBind[]): Promise<unknown>;
  close(): Promise<void>;
}

/** What {@link applySetup} needs. */
export interface SetupDeps {
  /** PKCS#8 PEM private key of the configured user (its public key is what setup registers). */
  privateKeyPem: string;
  /** The emulator's URL, for `TARGET=local` (default: EMULATOR_URL). */
  emulatorUrl?: string;
  /** Opens the connection; default snowflake-sdk ({@link SnowflakeSql.connect}). */
  connect?: (options: SnowflakeSqlOptions) => Promise<SetupConnection>;
  /** An open connection to use instead (closed at the end). */
  connection?: SetupConnection;
  /**
   * Leave a dynamic table or view alone when one of its name exists with the same definition
   * (replacing it would throw its refresh state away for nothing).
   */
  skipUnchanged?: boolean;
  /** Called after each statement succeeds. */
  onStatement?: (statement: SetupStatement, position: number, total: number) => void;
}

/** The kind and name a `CREATE OR REPLACE DYNAMIC TABLE | VIEW` statement replaces. */
function replaced(sql: string): { show: string; name: string } | undefined {
  const m = /^\s*CREATE\s+OR\s+REPLACE\s+(DYNAMIC\s+TABLE|VIEW)\s+([A-Za-z_][A-Za-z0-9_$]*)\b/i
    .exec(sql);
  if (!m) return undefined;
  return { show: /^VIEW$/i.test(m[1]) ? "VIEWS" : "DYNAMIC TABLES", name: m[2].toUpperCase() };
}

const normalizedText = (t: string) => t.replace(/\s+/g, " ").trim().replace(/;$/, "");

/** True when the object `sql` would replace exists with the same definition. */
async function unchanged(conn: SetupConnection, config: Config, sql: string): Promise<boolean> {
  const r = replaced(sql);
  if (!r) return false;
  try {
    const out = await conn.query(
      `SHOW ${r.show} LIKE '${r.name}' IN SCHEMA ${config.DATABASE_NAME}.${config.SCHEMA_NAME}`,
    ) as { rows?: Record<string, unknown>[] };
    const row = out.rows?.find((x) => String(x.name).toUpperCase() === r.name);
    return row !== undefined && normalizedText(String(row.text ?? "")) === normalizedText(sql);
  } catch {
    return false;
  }
}

/**
 * Runs the setup statements through snowflake-sdk as the configured user (key-pair auth), in
 * order, stopping at the first failure with a {@link SetupError} naming the statement and
 * carrying Snowflake's message. Signs in without a role, warehouse, database or schema — they may
 * not exist yet; the script's USE statements choose them once created. Returns how many ran.
 */
export async function applySetup(
  config: Config,
  deps: SetupDeps,
): Promise<{ ran: number; skipped: number }> {
  const publicKeyPem = await publicKeyPemFromPrivate(deps.privateKeyPem);
  const statements = setupStatements(config, publicKeyPem);
  let conn = deps.connection;
  if (!conn) {
    const base = sdkOptionsFromConfig(config, deps.privateKeyPem, deps.emulatorUrl);
    const options: SnowflakeSqlOptions = {
      ...base,
      database: undefined,
      schema: undefined,
      warehouse: undefined,
      role: undefined,
    };
    const connect = deps.connect ?? ((o: SnowflakeSqlOptions) => SnowflakeSql.connect(o));
    conn = await connect(options);
  }
  let skipped = 0;
  try {
    for (let i = 0; i < statements.length; i++) {
      const s = statements[i];
      if (deps.skipUnchanged && await unchanged(conn, config, s.sql)) {
        skipped++;
        continue;
      }
      try {
        await conn.query(s.sql);
      } catch (e) {
        const err = e as { code?: unknown; sqlState?: unknown; message?: string; cause?: unknown };
        const inner = (err.cause ?? {}) as { message?: string };
        throw new SetupError(s, i + 1, statements.length, {
          code: err.code === undefined ? undefined : String(err.code),
          sqlState: typeof err.sqlState === "string" ? err.sqlState : undefined,
          message: inner.message ?? err.message ?? String(e),
        });
      }
      deps.onStatement?.(s, i + 1, statements.length);
    }
  } finally {
    await conn.close();
  }
  return { ran: statements.length - skipped, skipped };
}
