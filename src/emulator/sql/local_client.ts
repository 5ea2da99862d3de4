/**
 * A SQL client for the process that embeds the emulator: the same statements, results and errors
 * as over snowflake-sdk, without HTTP. Values come back as the driver returns them: numbers as
 * numbers, DATE as `YYYY-MM-DD`, timestamps as Date, BOOLEAN as boolean, VARIANT parsed.
 *
 * @module
 */
import type { SqlEngine } from "./engine.ts";
import type { SessionState } from "./context.ts";
import type { BindValue } from "./translate/context.ts";
import { wireType } from "../warehouse/types.ts";

/** A value bound to a `?`. */
export type LocalBind = string | number | boolean | null;

/** A result as snowflake-sdk's wrapper returns it. */
export interface LocalResult {
  columns: { name: string; type: string; scale: number | null }[];
  rows: Record<string, unknown>[];
}

function bindOf(v: LocalBind): BindValue {
  if (v === null) return { type: "TEXT", value: null };
  if (typeof v === "boolean") return { type: "BOOLEAN", value: String(v) };
  if (typeof v === "number") {
    return { type: Number.isInteger(v) ? "FIXED" : "REAL", value: String(v) };
  }
  return { type: "TEXT", value: v };
}

/** Decodes one wire value of a column type as the driver does. */
export function decodeWire(type: string, v: string | null): unknown {
  if (v === null) return null;
  switch (type) {
    case "fixed":
    case "real":
      return v === "NaN" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : Number(v);
    case "boolean":
      return v === "1" || v === "true";
    case "date":
      return new Date(Number(v) * 86_400_000).toISOString().slice(0, 10);
    case "timestamp_ntz":
    case "timestamp_ltz":
    case "timestamp_tz": {
      const [secs, frac = "0"] = v.split(" ")[0].split(".");
      return new Date(Number(secs) * 1000 + Math.floor(Number(`0.${frac}`) * 1000));
    }
    case "variant":
    case "object":
    case "array":
      try {
        return JSON.parse(v);
      } catch {
        return v;
      }
    default:
      return v;
  }
}

/** Runs statements as one session of the account's user, in this process. */
export class LocalSqlClient {
  readonly #engine: SqlEngine;
  readonly #session: SessionState;
  #closed = false;

  constructor(
    engine: SqlEngine,
    id: string,
    names: { user: string; account: string; database: string; schema: string; role: string },
  ) {
    this.#engine = engine;
    this.#session = engine.session(id, { ...names, warehouse: null });
  }

  /** Runs one statement with `?` binds. Throws the engine's SqlError when it fails. */
  async query(sql: string, binds: readonly LocalBind[] = []): Promise<LocalResult> {
    if (this.#closed) throw new Error("the local SQL client is closed");
    const r = await this.#engine.execute(sql, binds.map(bindOf), this.#session);
    const wire = await this.#engine.rows(r.result, 0, r.result.rowCount);
    const columns = r.result.columns.map((c) => ({
      name: c.name,
      type: wireType(c.type),
      scale: c.type.kind === "NUMBER" ? c.type.scale : null,
    }));
    const rows = wire.map((row) => {
      const o: Record<string, unknown> = {};
      columns.forEach((c, i) => (o[c.name] = decodeWire(c.type, row[i])));
      return o;
    });
    return { columns, rows };
  }

  /** Ends the session. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#engine.endSession(this.#session.id);
  }
}
