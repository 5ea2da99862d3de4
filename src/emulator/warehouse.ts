/**
 * The emulator's warehouse: `warehouse.db` (node:sqlite, WAL) holding the raw tables named as in
 * Snowflake (RESORT_TICKET, SEASON_PASS, LIFT_RIDE, created from `sql/tables.sql`), the streaming
 * channels' durable state, and whatever the dynamic-table engine adds to the same file.
 *
 * Storage agreed with the other readers of the file (see `coerce.ts` for the casts):
 * VARCHAR → TEXT; NUMBER / NUMBER(p,0) → INTEGER; DECIMAL(p,s) → REAL rounded to s decimals;
 * DATETIME / TIMESTAMP_NTZ → TEXT `YYYY-MM-DD HH:MM:SS.SSS` (UTC); DATE → TEXT `YYYY-MM-DD`;
 * VARIANT → TEXT holding JSON.
 *
 * Raw-table rows are only ever inserted, never updated or deleted, so each table's rowid grows
 * monotonically: the dynamic-table engine finds new rows with `rowid > last seen`, and relies on
 * that. (No `VACUUM` and no deletes here, ever, for that reason.)
 *
 * @module
 */
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { TABLES_SQL } from "../../sql/mod.ts";
import type { StoredValue } from "./coerce.ts";
import type { BatchCounts } from "./pipe.ts";
import { parseTableDefinitions, sqliteType, type TableDef } from "./table_schema.ts";

/** File name of the warehouse in the data folder. */
export const WAREHOUSE_FILE = "warehouse.db";

/** The table holding streaming channels; not a Snowflake table (SQL-side listings may hide it). */
export const CHANNELS_TABLE = "_emulator_channels";

/** A channel's durable state. */
export interface ChannelRecord {
  /** Row id; a dropped and recreated channel gets a new one. */
  readonly id: number;
  readonly pipe: string;
  readonly channel: string;
  /** Bumped by every open: continuation tokens of older sequencers are stale. */
  readonly clientSequencer: number;
  readonly lastCommittedOffsetToken: string | null;
  readonly createdOnMs: number;
  readonly rowsInserted: number;
  readonly rowsParsed: number;
  /** Cumulative: never reset, not by commits, not by reopening. */
  readonly rowsErrorCount: number;
  readonly lastErrorOffsetUpperBound: string | null;
  readonly lastErrorMessage: string | null;
  readonly lastErrorTimestampMs: number | null;
}

/** One appended body to commit, still as NDJSON bytes: it is decoded and parsed inside the commit. */
export interface CommitBody {
  /** The body's UTF-8 bytes, in the chunks it arrived in. */
  readonly chunks: readonly Uint8Array[];
  /** The batch's end offset token; undefined when the append carried none (token unchanged). */
  readonly endOffsetToken?: string;
}

/** Parses a body, handing each good row on as it goes (a pipe's {@link Pipe.parseChunks}). */
export type BodyParser = (
  chunks: readonly Uint8Array[],
  onRow: (row: StoredValue[]) => void,
) => BatchCounts;

const CHANNEL_COLUMNS = `id, pipe, channel, client_sequencer AS clientSequencer,
  last_committed_offset_token AS lastCommittedOffsetToken, created_on_ms AS createdOnMs,
  rows_inserted AS rowsInserted, rows_parsed AS rowsParsed, rows_error_count AS rowsErrorCount,
  last_error_offset_upper_bound AS lastErrorOffsetUpperBound,
  last_error_message AS lastErrorMessage, last_error_timestamp_ms AS lastErrorTimestampMs`;

/** SQLite page cache of `warehouse.db`, KB (see the constructor). */
const WAREHOUSE_CACHE_KB = 8192;

/** Rows per multi-row INSERT: fewer calls into SQLite, measured ~1.3× faster than one per row. */
const INSERT_CHUNK = 16;

interface InsertStatements {
  readonly width: number;
  readonly one: StatementSync;
  readonly many: StatementSync;
  readonly flat: StoredValue[];
}

function quote(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}

/**
 * Inserts rows as they are handed over, in multi-row statements of {@link INSERT_CHUNK} rows
 * (inside a transaction): a row is copied into the statement's parameters at once, so nothing
 * keeps the rows. {@link RowInserter.finish} writes what is left of the last chunk.
 */
class RowInserter {
  readonly #s: InsertStatements;
  #held = 0;
  /** Rows inserted so far. */
  count = 0;

  constructor(s: InsertStatements) {
    this.#s = s;
  }

  readonly add = (row: readonly StoredValue[]): void => {
    const { width, flat } = this.#s;
    let f = this.#held * width;
    for (let c = 0; c < width; c++) flat[f++] = row[c];
    this.count++;
    if (++this.#held === INSERT_CHUNK) {
      this.#s.many.run(...flat);
      this.#held = 0;
    }
  };

  finish(): void {
    const { width, flat, one } = this.#s;
    for (let r = 0; r < this.#held; r++) one.run(...flat.slice(r * width, (r + 1) * width));
    this.#held = 0;
  }
}

/** The raw tables' definitions, parsed from `sql/tables.sql`. */
export const RAW_TABLES: readonly TableDef[] = parseTableDefinitions(TABLES_SQL);

/** `warehouse.db`: raw tables, channels, and the handle the dynamic-table engine shares. */
export class Warehouse {
  /** The open database; the dynamic-table engine creates its tables in the same file. */
  readonly db: DatabaseSync;
  /** The file's path. */
  readonly path: string;
  /** Raw tables by name. */
  readonly tables: ReadonlyMap<string, TableDef>;
  readonly #insert = new Map<string, InsertStatements>();
  readonly #count = new Map<string, StatementSync>();
  readonly #begin: StatementSync;
  readonly #commit: StatementSync;
  readonly #rollback: StatementSync;
  readonly #getChannel: StatementSync;
  readonly #createChannel: StatementSync;
  readonly #reopenChannel: StatementSync;
  readonly #deleteChannel: StatementSync;
  readonly #bumpAll: StatementSync;
  readonly #advance: StatementSync;
  readonly #advanceWithError: StatementSync;
  #closed = false;

  /**
   * Opens (creating if needed) the warehouse at `path`. `synchronous` NORMAL (the default) in WAL
   * mode loses nothing on a process crash (SIGKILL): a transaction is in the OS once COMMIT
   * returns. FULL also survives power loss.
   */
  constructor(
    path: string,
    options: { tables?: readonly TableDef[]; synchronous?: "NORMAL" | "FULL" } = {},
  ) {
    this.path = path;
    this.db = new DatabaseSync(path);
    try {
      this.db.exec("PRAGMA journal_mode = WAL");
      this.db.exec(`PRAGMA synchronous = ${options.synchronous ?? "NORMAL"}`);
      this.db.exec("PRAGMA busy_timeout = 5000");
      // The page cache (and, at the same size, the sorter's memory for the report refreshes)
      // lives in this process beside everything else `run` does: 8 MB holds the index pages the
      // inserts touch (rides arrive in time order per resort, so few are hot); 32 MB measured no
      // faster and cost up to twice that in resident memory.
      this.db.exec(`PRAGMA cache_size = -${WAREHOUSE_CACHE_KB}`);
      const tables = options.tables ?? RAW_TABLES;
      this.tables = new Map(tables.map((t) => [t.name, t]));
      for (const t of tables) this.#createTable(t);
      this.#createIndexes();
      this.db.exec(`CREATE TABLE IF NOT EXISTS ${CHANNELS_TABLE} (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        pipe TEXT NOT NULL,
        channel TEXT NOT NULL,
        client_sequencer INTEGER NOT NULL,
        last_committed_offset_token TEXT,
        created_on_ms INTEGER NOT NULL,
        rows_inserted INTEGER NOT NULL DEFAULT 0,
        rows_parsed INTEGER NOT NULL DEFAULT 0,
        rows_error_count INTEGER NOT NULL DEFAULT 0,
        last_error_offset_upper_bound TEXT,
        last_error_message TEXT,
        last_error_timestamp_ms INTEGER,
        UNIQUE (pipe, channel)
      )`);
      this.#begin = this.db.prepare("BEGIN IMMEDIATE");
      this.#commit = this.db.prepare("COMMIT");
      this.#rollback = this.db.prepare("ROLLBACK");
      this.#getChannel = this.db.prepare(
        `SELECT ${CHANNEL_COLUMNS} FROM ${CHANNELS_TABLE} WHERE pipe = ? AND channel = ?`,
      );
      this.#createChannel = this.db.prepare(
        `INSERT INTO ${CHANNELS_TABLE} (pipe, channel, client_sequencer, last_committed_offset_token,
           created_on_ms) VALUES (?, ?, 1, ?, ?)`,
      );
      this.#reopenChannel = this.db.prepare(
        `UPDATE ${CHANNELS_TABLE} SET client_sequencer = client_sequencer + 1,
           last_committed_offset_token = CASE WHEN ? THEN ? ELSE last_committed_offset_token END
         WHERE pipe = ? AND channel = ?`,
      );
      this.#deleteChannel = this.db.prepare(
        `DELETE FROM ${CHANNELS_TABLE} WHERE pipe = ? AND channel = ?`,
      );
      this.#bumpAll = this.db.prepare(
        `UPDATE ${CHANNELS_TABLE} SET client_sequencer = client_sequencer + 1`,
      );
      this.#advance = this.db.prepare(
        `UPDATE ${CHANNELS_TABLE} SET
           last_committed_offset_token = coalesce(?, last_committed_offset_token),
           rows_inserted = rows_inserted + ?, rows_parsed = rows_parsed + ?
         WHERE id = ?`,
      );
      this.#advanceWithError = this.db.prepare(
        `UPDATE ${CHANNELS_TABLE} SET
           last_committed_offset_token = coalesce(?, last_committed_offset_token),
           rows_inserted = rows_inserted + ?, rows_parsed = rows_parsed + ?,
           rows_error_count = rows_error_count + ?,
           last_error_offset_upper_bound = coalesce(?, last_committed_offset_token),
           last_error_message = ?, last_error_timestamp_ms = ?
         WHERE id = ?`,
      );
    } catch (e) {
      this.db.close();
      throw e;
    }
  }

  #createTable(t: TableDef): void {
    const cols = t.columns.map((c) => `${quote(c.name)} ${sqliteType(c.type)}`).join(", ");
    this.db.exec(`CREATE TABLE IF NOT EXISTS ${quote(t.name)} (${cols})`);
    // A warehouse made by an older DDL gets the columns added since (new ones are NULL before).
    const have = new Set(
      (this.db.prepare(`SELECT name FROM pragma_table_info(?)`).all(t.name) as { name: string }[])
        .map((r) => r.name),
    );
    for (const c of t.columns) {
      if (!have.has(c.name)) {
        this.db.exec(
          `ALTER TABLE ${quote(t.name)} ADD COLUMN ${quote(c.name)} ${sqliteType(c.type)}`,
        );
      }
    }
    const names = t.columns.map((c) => quote(c.name)).join(", ");
    const params = t.columns.map(() => "?").join(", ");
    const sql = `INSERT INTO ${quote(t.name)} (${names}) VALUES `;
    this.#insert.set(t.name, {
      width: t.columns.length,
      one: this.db.prepare(`${sql}(${params})`),
      many: this.db.prepare(sql + Array(INSERT_CHUNK).fill(`(${params})`).join(", ")),
      flat: new Array(t.columns.length * INSERT_CHUNK),
    });
    this.#count.set(t.name, this.db.prepare(`SELECT count(*) AS n FROM ${quote(t.name)}`));
  }

  /**
   * Indexes for the reports: rides by resort and time, tickets and passes by RFID (rides join to
   * them on it). LIFT_RIDE(RFID) is deliberately absent: its random keys make every insert touch a
   * random index page, which measured 3× slower on the hottest table.
   */
  #createIndexes(): void {
    const has = (table: string, ...cols: string[]) =>
      this.tables.get(table) !== undefined &&
      cols.every((c) => this.tables.get(table)!.columns.some((col) => col.name === c));
    if (has("LIFT_RIDE", "RESORT", "RIDE_TIME")) {
      this.db.exec(
        `CREATE INDEX IF NOT EXISTS LIFT_RIDE_RESORT_RIDE_TIME ON LIFT_RIDE (RESORT, RIDE_TIME)`,
      );
    }
    for (const t of ["RESORT_TICKET", "SEASON_PASS"]) {
      if (has(t, "RFID")) this.db.exec(`CREATE INDEX IF NOT EXISTS ${t}_RFID ON ${t} (RFID)`);
    }
  }

  /** The definition of raw table `name`; throws for an unknown table. */
  table(name: string): TableDef {
    const t = this.tables.get(name);
    if (!t) throw new Error(`unknown warehouse table: ${name}`);
    return t;
  }

  /** Number of rows in raw table `name`. */
  count(name: string): number {
    const stmt = this.#count.get(name);
    if (!stmt) throw new Error(`unknown warehouse table: ${name}`);
    return Number((stmt.get() as { n: number | bigint }).n);
  }

  /** A channel's durable state, or undefined when it does not exist. */
  channel(pipe: string, channel: string): ChannelRecord | undefined {
    return this.#getChannel.get(pipe, channel) as ChannelRecord | undefined;
  }

  /**
   * Opens a channel: creates it (sequencer 1), or bumps the sequencer of an existing one. With
   * `offsetToken` given (string or null) the committed offset token is set to it.
   */
  openChannel(pipe: string, channel: string, offsetToken?: string | null): ChannelRecord {
    const now = Date.now();
    const existing = this.channel(pipe, channel);
    if (existing) {
      const set = offsetToken !== undefined;
      this.#reopenChannel.run(set ? 1 : 0, set ? offsetToken : null, pipe, channel);
    } else {
      this.#createChannel.run(pipe, channel, offsetToken ?? null, now);
    }
    return this.channel(pipe, channel)!;
  }

  /** Drops a channel and its offset; false when there was none. */
  dropChannel(pipe: string, channel: string): boolean {
    return Number(this.#deleteChannel.run(pipe, channel).changes) > 0;
  }

  /** Bumps every channel's sequencer: all outstanding continuation tokens become stale. */
  invalidateAllChannels(): void {
    this.#bumpAll.run();
  }

  /**
   * Commits appended bodies of channel `channelId` into `table` in ONE transaction: the good rows
   * are inserted and the channel's committed offset token advances to the last body's end token
   * together, so a crash can neither lose what was reported committed nor report committed what
   * was lost. Each body is decoded and parsed by `parse` inside the transaction and its rows
   * inserted as they come, so the rows (and texts) of one commit never sit in memory together:
   * they would take several times the bodies' size. Returns the counts of every body together, or
   * undefined (nothing written) when the channel is gone.
   */
  commitBodies(
    channelId: number,
    table: string,
    bodies: readonly CommitBody[],
    parse: BodyParser,
  ): BatchCounts | undefined {
    const statements = this.#insert.get(table);
    if (!statements) throw new Error(`unknown warehouse table: ${table}`);
    let parsed = 0, errors = 0;
    let endToken: string | undefined;
    let errorMessage: string | null = null;
    let errorBound: string | undefined;
    const inserter = new RowInserter(statements);
    this.#begin.run();
    try {
      for (const body of bodies) {
        const b = parse(body.chunks, inserter.add);
        parsed += b.parsed;
        if (body.endOffsetToken !== undefined) endToken = body.endOffsetToken;
        if (b.errors > 0) {
          errors += b.errors;
          errorMessage = b.lastErrorMessage;
          errorBound = endToken;
        }
      }
      inserter.finish();
      // The channel row is updated last, once the counts are known; if the channel was dropped
      // meanwhile, nothing of this commit is kept.
      const changes = errors > 0
        ? this.#advanceWithError.run(
          endToken ?? null,
          inserter.count,
          parsed,
          errors,
          errorBound ?? null,
          errorMessage,
          Date.now(),
          channelId,
        ).changes
        : this.#advance.run(endToken ?? null, inserter.count, parsed, channelId).changes;
      if (Number(changes) !== 1) {
        this.#rollback.run();
        return undefined;
      }
      this.#commit.run();
      return { parsed, errors, lastErrorMessage: errorMessage };
    } catch (e) {
      if (this.db.isTransaction) this.#rollback.run();
      throw e;
    }
  }

  /** Closes the database (idempotent); SQLite checkpoints the WAL on the last close. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.db.close();
  }
}
