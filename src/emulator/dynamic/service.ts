/**
 * Dynamic tables: CREATE (analysis, refresh mode, initial refresh), ALTER (REFRESH, SUSPEND,
 * RESUME, SET TARGET_LAG), the scheduler that keeps each table within its target lag, and the
 * state SHOW DYNAMIC TABLES and the refresh history report.
 *
 * **Scheduling.** A table with a time lag is due when its data is older than half its lag (times
 * `lagScale`, so tests can run minutes in milliseconds): refreshing then keeps it within the lag
 * even with the time a refresh takes. When rows it reads changed, it is due sooner, once its data
 * is `freshMs` old, or four times as old as the last scheduled refresh took, whichever is longer:
 * new rows show within a second or two while refreshes are cheap, and refreshing early for them
 * never takes more than a quarter of the time however large the tables grow. More often than the lag asks is
 * still within it. A due table is refreshed together with every dynamic table
 * upstream of it, in one transaction at one data timestamp, so that the chain reads one snapshot
 * of the base tables: lag is measured from the graph's root. DOWNSTREAM tables refresh only that
 * way (or on ALTER … REFRESH).
 *
 * **Stopping.** {@link DynamicTables.stop} interrupts a refresh in progress: its transaction rolls
 * back, it is recorded as CANCELLED, and the next start refreshes from the same source positions
 * (the positions move only with the data, in the same transaction).
 *
 * @module
 */
import type { Logger } from "../../log.ts";
import { silentLogger } from "../../log.ts";
import type { Warehouse } from "../warehouse/warehouse.ts";
import { isMemoryShortage, type LaneSession } from "../warehouse/duckdb.ts";
import {
  type CatalogColumn,
  type CatalogObject,
  ROW_COLUMN,
  tableOf,
} from "../warehouse/catalog.ts";
import { duckType } from "../warehouse/types.ts";
import type { Node } from "../sql/ast.ts";
import { clone } from "../sql/ast.ts";
import { SQL_ERRORS, SqlError } from "../sql/errors.ts";
import { parseQuerySync, type Statement, type TargetLag } from "../sql/parser.ts";
import { type Outcome, type StatementContext, status } from "../sql/context.ts";
import { catalogResolver } from "../sql/resolver.ts";
import { Translator } from "../sql/translate/translator.ts";
import type { ObjectRef, SessionContext } from "../sql/translate/context.ts";
import { qi } from "../sql/translate/quote.ts";
import { dropObject, existing, newName } from "../sql/statements/ddl.ts";
import { fullText, qualify } from "../sql/names.ts";
import { analyze } from "./analysis.ts";
import {
  type Compiled,
  definitionMark,
  KEYS_PER_PART,
  type Mark,
  refreshOne,
  type RefreshResult,
  ROWS_PER_PART,
} from "./refresh.ts";
import {
  ensureHistoryTables,
  forgetHistory,
  type HistoryRow,
  HistoryWriter,
  STATE_TABLE,
} from "./history.ts";
import { mapError } from "../sql/engine.ts";
import { ResultStore } from "../sql/results.ts";

/** Options of {@link DynamicTables}. */
export interface DynamicOptions {
  /** Multiplies every target lag (default 1): 0.01 makes "1 minute" 0.6 s. */
  lagScale?: number;
  /** How often the scheduler looks for due tables, ms (default 1000, or less with a small scale). */
  tickMs?: number;
  /** Refresh on schedule (default true); tests may refresh by hand. */
  autoRefresh?: boolean;
  /**
   * A table whose inputs changed is refreshed once its data is this old (default 1,000 ms) and
   * four times as old as the last scheduled refresh took, or at half its lag if that comes first:
   * dashboards over the emulator show new rows in seconds.
   */
  freshMs?: number;
  /**
   * At most this many changed keys are recomputed by one statement of an incremental refresh
   * (default {@link KEYS_PER_PART}); more are recomputed in parts.
   */
  keysPerPart?: number;
  /**
   * At most about this many changed source rows are recomputed by one statement of an
   * incremental refresh that can be split by spans of a time key (default
   * {@link ROWS_PER_PART}).
   */
  rowsPerPart?: number;
  /** Every refresh in at least this many parts (default 1); tests split small refreshes. */
  parts?: number;
  /** Clock; tests replace it. */
  now?: () => number;
  log?: Logger;
}

/**
 * How a refresh that ran out of memory is tried again, in turn: in more parts first (each part a
 * share of the keys, so the process stays as small as before), and only then with more of DuckDB's
 * memory, for a definition without keys to split by. DuckDB fills what it is allowed, so the
 * smaller step keeps the process smaller whenever it is enough.
 */
const OUT_OF_MEMORY_RETRIES: readonly { parts: number; memoryLimit?: string }[] = [
  { parts: 8 },
  { parts: 64 },
  { parts: 64, memoryLimit: "384MB" },
  { parts: 64, memoryLimit: "1GB" },
];

/** What SHOW DYNAMIC TABLES shows of one table. */
export interface DynamicTableDescription {
  targetLag: string;
  refreshMode: string;
  refreshModeReason: string | null;
  warehouse: string;
  text: string;
  schedulingState: string;
  lastSuspendedOn: Date | null;
  dataTimestamp: Date | null;
  initialize: string;
}

/** A dynamic table's runtime state. */
interface Runtime {
  dataTimestamp: Date | null;
  marks: Record<string, Mark> | null;
  compiled?: Compiled;
  /** Source ids the compiled plan resolved (a replaced source recompiles). */
  compiledFor?: string;
  /** Scheduled refreshes that failed in a row (see {@link AUTO_SUSPEND_ERRORS}). */
  scheduledErrors?: number;
}

/**
 * Scheduled refreshes that may fail in a row before the table is suspended, with the tables
 * downstream of it, as Snowflake does; a refresh that succeeds, manual or scheduled, starts the
 * count again, and a manual refresh's failure does not count.
 */
export const AUTO_SUSPEND_ERRORS = 5;

/** The dynamic-table service of one emulator. */
export class DynamicTables {
  readonly #w: Warehouse;
  readonly #o: Required<Omit<DynamicOptions, "log" | "tickMs">> & { tickMs: number; log: Logger };
  readonly #runtime = new Map<number, Runtime>();
  readonly #history = new HistoryWriter();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<unknown> | undefined;
  #stopped = false;
  #refreshing = false;
  /** How long the last scheduled refresh took, ms. */
  #lastScheduledMs = 0;

  private constructor(w: Warehouse, options: DynamicOptions) {
    this.#w = w;
    const lagScale = options.lagScale ?? 1;
    this.#o = {
      lagScale,
      tickMs: options.tickMs ?? Math.max(20, Math.min(1000, 60_000 * lagScale / 12)),
      autoRefresh: options.autoRefresh ?? true,
      freshMs: options.freshMs ?? 1_000,
      keysPerPart: options.keysPerPart ?? KEYS_PER_PART,
      rowsPerPart: options.rowsPerPart ?? ROWS_PER_PART,
      parts: options.parts ?? 1,
      now: options.now ?? Date.now,
      log: options.log ?? silentLogger,
    };
  }

  /** Loads the dynamic tables' state. */
  static async open(w: Warehouse, options: DynamicOptions = {}): Promise<DynamicTables> {
    const d = new DynamicTables(w, options);
    await w.refresher.exclusive(async (s) => {
      await ensureHistoryTables(s);
      const r = await s.all(`SELECT id, data_timestamp, marks FROM ${STATE_TABLE}`);
      for (const row of r.rows) {
        d.#runtime.set(Number(row[0]), {
          dataTimestamp: row[1] ? new Date(row[1] as Date) : null,
          marks: row[2] ? JSON.parse(String(row[2])) : null,
        });
      }
    });
    return d;
  }

  /** Dynamic tables in the catalog. */
  #tables(): CatalogObject[] {
    return this.#w.catalog.objects().filter((o) => o.kind === "DYNAMIC TABLE");
  }

  #runtimeOf(o: CatalogObject): Runtime {
    let r = this.#runtime.get(o.id);
    if (!r) {
      r = { dataTimestamp: null, marks: null };
      this.#runtime.set(o.id, r);
    }
    return r;
  }

  /** The session context a definition is resolved in: its own database and schema. */
  #definitionSession(o: { database: string; schema: string; owner: string }): SessionContext {
    return {
      database: o.database,
      schema: o.schema,
      user: "SYSTEM",
      role: o.owner,
      warehouse: null,
      account: "",
      timezone: "UTC",
      lastQueryId: () => null,
    };
  }

  /** Translates and analyses a definition. */
  #compile(
    o: { database: string; schema: string; owner: string },
    text: string,
    query: Node,
  ): Compiled & { columnsOut: { name: string; type: import("../warehouse/types.ts").SfType }[] } {
    const resolver = catalogResolver({
      warehouse: this.#w,
      results: new ResultStore(),
      session: this.#definitionSession(o),
      parseQuery: parseQuerySync,
      readsUninitialized: true,
    });
    const run = (
      override?: (ref: ObjectRef, alias: string, tableSql: string) => string | undefined,
    ) => {
      const t = new Translator(resolver, {
        source: text,
        analyze: true,
        inlineViews: true,
        override: override ? (ref, rel, alias) => override(ref, alias, rel.sql) : undefined,
      });
      const q = t.query(clone(query), undefined);
      return { t, q };
    };
    const { t, q } = run();
    if (resolver.streamReads.size) throw SQL_ERRORS.unsupported("a dynamic table over a stream");
    if ([...t.objects.values()].some((r) => r.kind === "SEQUENCE")) {
      throw SQL_ERRORS.unsupported("a sequence (NEXTVAL) in a dynamic table");
    }
    const sources = new Map<number, CatalogObject>();
    const aliases = new Map<number, { ref: ObjectRef; aliases: string[] }>();
    for (const b of t.blocks) {
      for (const r of b.relations) {
        if (!r.object) continue;
        const obj = this.#w.catalog.byId(r.object.id);
        if (!obj || (obj.kind !== "TABLE" && obj.kind !== "DYNAMIC TABLE")) continue;
        sources.set(obj.id, obj);
        const a = aliases.get(obj.id) ?? { ref: r.object, aliases: [] };
        a.aliases.push(r.duckAlias);
        aliases.set(obj.id, a);
      }
    }
    for (const ref of t.objects.values()) {
      const obj = this.#w.catalog.byId(ref.id);
      if (obj && (obj.kind === "TABLE" || obj.kind === "DYNAMIC TABLE") && !sources.has(obj.id)) {
        // Read only inside an expression's subquery: no lineage, a change refreshes in full.
        sources.set(obj.id, obj);
        aliases.set(obj.id, { ref, aliases: [] });
      }
    }
    // Views (inlined above) and functions: not sources of rows, but of the definition.
    const definitionInputs = [...t.objects.values()]
      .filter((r) => r.id >= 0 && (r.kind === "VIEW" || r.kind === "FUNCTION"))
      .map((r) => r.id);
    const plan = analyze({
      blocks: t.blocks,
      cteUses: t.cteUses,
      blockers: t.blockers,
      top: q.block,
      sources: aliases,
    });
    const columnsOut = q.columns.map((c) => ({ name: c.name, type: c.type }));
    return {
      translate: (override) => run(override).q.sql,
      plan,
      columns: q.columns.map((c) => c.name),
      duckTypes: q.columns.map((c) => duckType(c.type)),
      sources,
      definitionInputs,
      columnsOut,
    };
  }

  /** The compiled definition of a table (recompiled when a source was replaced). */
  #compiled(o: CatalogObject): Compiled {
    const rt = this.#runtimeOf(o);
    const text = String(o.definition ?? "");
    const query = parseQuerySync(text);
    const c = this.#compile(o, text, query);
    // A column list names the table's columns: the definition's rows come out under those names
    // (a key is a column's position, so the plan holds as it is).
    const names = o.columns.map((col) => col.name);
    // Without a list (tables created before it was recorded: a list when the counts agree), the
    // query must still return the table's columns: `SELECT *` over a table that lost or gained a
    // column does not, and reading it by position would file one column's values under another.
    const columnList = (o.props.columnList as boolean | undefined) ??
      names.length === c.columns.length;
    const drifted = columnList
      ? names.length !== c.columns.length
      : names.length !== c.columns.length || names.some((n, i) => n !== c.columns[i]);
    if (drifted) {
      const quoted = (ns: string[]) => ns.map((n) => `'${n}'`).join(", ");
      const gone = names.filter((n) => !c.columns.includes(n));
      const added = c.columns.filter((n) => !names.includes(n));
      const detail = columnList ? "" : [
        gone.length ? ` (no longer ${quoted(gone)})` : "",
        added.length ? ` (new ${quoted(added)})` : "",
      ].join("");
      throw new SqlError(
        "000904",
        "42000",
        `SQL compilation error:\nDynamic table '${o.name}' has ${names.length} columns; its query ` +
          `now returns ${c.columns.length}${detail}: an input's columns changed. Recreate it with ` +
          "CREATE OR REPLACE DYNAMIC TABLE.",
      );
    }
    const sig = [...c.sources.keys(), ...c.definitionInputs.map((id) => -id)].sort().join(",") +
      `|${c.columns.join(",")}`;
    if (rt.compiled && rt.compiledFor === sig) return rt.compiled;
    rt.compiled = { ...c, duckTypes: o.columns.map((col) => duckType(col.type)) };
    if (names.some((n, i) => n !== c.columns[i])) {
      const select = c.columns.map((from, i) => `"d".${qi(from)} AS ${qi(names[i])}`).join(", ");
      rt.compiled = {
        ...rt.compiled,
        columns: names,
        translate: (override) => `SELECT ${select} FROM (${c.translate(override)}) AS "d"`,
      };
    }
    rt.compiledFor = sig;
    return rt.compiled;
  }

  /** Dynamic tables `o` reads directly. */
  #upstream(o: CatalogObject): CatalogObject[] {
    const ids = (o.props.sources as number[] | undefined) ?? [];
    return ids.map((id) => this.#w.catalog.byId(id)).filter((x): x is CatalogObject =>
      x?.kind === "DYNAMIC TABLE"
    );
  }

  /** The upstream closure of `targets`, upstream first. */
  #closure(targets: readonly CatalogObject[]): CatalogObject[] {
    const out: CatalogObject[] = [];
    const seen = new Set<number>();
    const visit = (o: CatalogObject, path: Set<number>) => {
      if (seen.has(o.id) || path.has(o.id)) return;
      path.add(o.id);
      for (const u of this.#upstreamByName(o)) visit(u, path);
      path.delete(o.id);
      seen.add(o.id);
      out.push(o);
    };
    for (const t of targets) visit(t, new Set());
    return out;
  }

  /** Upstream dynamic tables as the definition resolves them now (a replaced one re-wires). */
  #upstreamByName(o: CatalogObject): CatalogObject[] {
    const names = (o.props.sourceNames as string[] | undefined) ?? [];
    const out: CatalogObject[] = [];
    for (const n of names) {
      const [d, s, t] = n.split("\u0000");
      const x = this.#w.catalog.find(d, s, t, "RELATION");
      if (x?.kind === "DYNAMIC TABLE") out.push(x);
    }
    return out.length || !names.length ? out : this.#upstream(o);
  }

  // ---------------------------------------------------------------------------------------------
  // Statements

  /** CREATE [OR REPLACE] DYNAMIC TABLE … */
  async create(
    ctx: StatementContext,
    stmt: Extract<Statement, { kind: "createDynamicTable" }>,
  ): Promise<Outcome> {
    const n = newName(ctx, stmt.name);
    const owner = ctx.session.role ?? "";
    const compiled = this.#compile(
      { database: n.database, schema: n.schema, owner },
      stmt.queryText,
      stmt.query,
    );
    if (!compiled.sources.size) {
      throw SQL_ERRORS.invalidArgument("a dynamic table must read at least one table.");
    }
    let names = compiled.columnsOut.map((c) => c.name);
    if (stmt.columns) {
      if (stmt.columns.length !== names.length) {
        throw SQL_ERRORS.syntax(
          `the column list names ${stmt.columns.length} columns, the query returns ${names.length}.`,
        );
      }
      names = [...stmt.columns];
    }
    const seen = new Set<string>();
    for (const c of names) {
      if (seen.has(c)) throw SQL_ERRORS.syntax(`duplicate column name '${c}'`);
      seen.add(c);
    }
    const plan = compiled.plan;
    let mode: "INCREMENTAL" | "FULL";
    let reason: string | null = null;
    if (stmt.refreshMode === "INCREMENTAL") {
      if (!plan.incremental) {
        throw new SqlError(
          "091352",
          "0A000",
          `SQL compilation error:\nDynamic table cannot be refreshed incrementally: ${plan.reason}`,
        );
      }
      mode = "INCREMENTAL";
    } else if (stmt.refreshMode === "FULL") {
      mode = "FULL";
      reason = "The refresh mode was set to FULL.";
    } else {
      mode = plan.incremental ? "INCREMENTAL" : "FULL";
      reason = plan.incremental ? null : plan.reason;
    }
    const w = this.#w;
    const columns: CatalogColumn[] = compiled.columnsOut.map((c, i) => ({
      name: names[i],
      type: c.type,
      nullable: true,
      defaultSql: null,
      comment: stmt.columnComments[i] ?? null,
    }));
    const sourceNames = [...compiled.sources.values()].map((s) =>
      `${s.database}\u0000${s.schema}\u0000${s.name}`
    );
    const created = await w.writer.transaction(async (s) => {
      const old = existing(ctx, [n.database, n.schema, n.name], [
        "DYNAMIC TABLE",
        "TABLE",
        "VIEW",
        "STREAM",
      ]);
      if (old) {
        if (stmt.ifNotExists) return null;
        if (!stmt.orReplace) throw SQL_ERRORS.alreadyExists(n.name);
        if (old.kind !== "DYNAMIC TABLE") {
          throw new SqlError(
            "002201",
            "42809",
            `SQL compilation error:\nObject found is of type '${old.kind}', not specified type 'DYNAMIC TABLE'.`,
          );
        }
        await dropObject(ctx, s, old);
      }
      // Its sources keep the old versions of changed rows from now on: the refreshes read them.
      for (const src of compiled.sources.values()) await w.ensureChangeLog(s, src);
      await s.run(
        `CREATE TABLE ${tableOf(n)} (${
          columns.map((c) => `${qi(c.name)} ${duckType(c.type)}`).join(", ")
        }, ${qi(ROW_COLUMN)} BIGINT)`,
      );
      const o = await w.catalog.add(s, {
        database: n.database,
        schema: n.schema,
        name: n.name,
        kind: "DYNAMIC TABLE",
        owner,
        comment: stmt.comment,
        definition: stmt.queryText,
        props: {
          targetLag: stmt.targetLag,
          warehouse: stmt.warehouse ?? ctx.session.warehouse ?? "",
          refreshMode: mode,
          refreshModeReason: reason,
          requestedMode: stmt.refreshMode,
          initialize: stmt.initialize,
          initialized: stmt.initialize === "ON_CREATE" ? true : false,
          suspended: false,
          columnList: !!stmt.columns,
          ...(stmt.transient ? { transient: true } : {}),
          sources: [...compiled.sources.keys()],
          sourceNames,
          text: ctx.text.trim(),
        },
        columns,
      });
      w.startSequence(o.id);
      await w.ensureChangeLog(s, o);
      return o;
    });
    if (!created) return status(`${n.name} already exists, statement succeeded.`);
    this.#runtime.set(created.id, { dataTimestamp: null, marks: null });
    if (stmt.initialize === "ON_CREATE") {
      try {
        await this.refresh([created], "CREATION", ctx.queryId);
      } catch (e) {
        // A failed initial refresh aborts the CREATE.
        await w.writer.transaction(async (s) => {
          const o = w.catalog.byId(created.id);
          if (o) await dropObject(ctx, s, o);
        }).catch(() => {});
        throw e;
      }
    }
    return status(`Dynamic table ${n.name} successfully created.`);
  }

  /** ALTER DYNAMIC TABLE … */
  async alter(
    ctx: StatementContext,
    stmt: Extract<Statement, { kind: "alterDynamicTable" }>,
  ): Promise<Outcome> {
    const o = existing(ctx, stmt.name, ["DYNAMIC TABLE"]);
    if (!o) {
      if (stmt.ifExists) return status("Statement executed successfully.");
      throw SQL_ERRORS.doesNotExist(fullText(qualify(stmt.name, ctx.session)), "Dynamic table");
    }
    const a = stmt.action;
    if (a.kind === "refresh") {
      const results = await this.refresh([o], "MANUAL", ctx.queryId);
      const mine = results.find((r) => r.id === o.id);
      return {
        kind: "rows",
        columns: [
          { name: "status", type: { kind: "VARCHAR", length: 16_777_216 } },
        ],
        rows: [[`Dynamic table ${o.name} refreshed (${mine?.action ?? "NO_DATA"}).`]],
        statementType: 0x6000,
      };
    }
    if (a.kind === "suspend") {
      await this.#suspend([o], "USER_SUSPENDED");
      return status("Statement executed successfully.");
    }
    await this.#w.writer.transaction(async (s) => {
      if (a.kind === "resume") {
        // With it, the tables downstream that were suspended only because it was.
        const resumed = this.#downstream([o], (t, up, inSet) =>
          t.props.suspended === true &&
          String(t.props.suspendReason ?? "").startsWith("UPSTREAM_") &&
          up.every((u) => !u.props.suspended || inSet(u)));
        for (const t of resumed) {
          const { suspendReason: _why, ...rest } = t.props;
          t.props = { ...rest, suspended: false };
          this.#runtimeOf(t).scheduledErrors = 0;
          if (t !== o) await this.#w.catalog.update(s, t);
        }
      } else if (a.kind === "set") {
        if (a.lag !== undefined) o.props = { ...o.props, targetLag: a.lag };
        if (a.warehouse !== undefined) o.props = { ...o.props, warehouse: a.warehouse };
        if (a.comment !== undefined) o.comment = a.comment;
      }
      await this.#w.catalog.update(s, o);
    });
    return status("Statement executed successfully.");
  }

  /** Forgets a dropped table's state (inside the DROP's transaction). */
  async forget(s: LaneSession, o: CatalogObject): Promise<void> {
    this.#runtime.delete(o.id);
    await forgetHistory(s, o.id);
  }

  /** What SHOW DYNAMIC TABLES shows. */
  describe(o: CatalogObject): DynamicTableDescription {
    const p = o.props as {
      targetLag: TargetLag;
      refreshMode: string;
      refreshModeReason: string | null;
      warehouse: string;
      text: string;
      suspended: boolean;
      lastSuspendedOn?: string;
      initialize: string;
    };
    return {
      targetLag: p.targetLag.kind === "downstream" ? "DOWNSTREAM" : p.targetLag.text,
      refreshMode: p.refreshMode,
      refreshModeReason: p.refreshModeReason,
      warehouse: p.warehouse,
      text: p.text,
      schedulingState: p.suspended ? "SUSPENDED" : "ACTIVE",
      lastSuspendedOn: p.lastSuspendedOn ? new Date(p.lastSuspendedOn) : null,
      dataTimestamp: this.#runtime.get(o.id)?.dataTimestamp ?? null,
      initialize: p.initialize,
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Refreshing

  /**
   * Refreshes `targets` and everything upstream of them in one transaction at one data
   * timestamp. Returns each table's outcome; throws when a target failed.
   */
  async refresh(
    targets: readonly CatalogObject[],
    trigger: "SCHEDULED" | "MANUAL" | "CREATION",
    queryId: string | null = null,
  ): Promise<{ id: number; action: string; state: string }[]> {
    const run = this.#refresh(targets, trigger, queryId);
    this.#running = run.catch(() => {});
    try {
      return await run;
    } finally {
      this.#running = undefined;
    }
  }

  async #refresh(
    targets: readonly CatalogObject[],
    trigger: "SCHEDULED" | "MANUAL" | "CREATION",
    queryId: string | null,
  ): Promise<{ id: number; action: string; state: string }[]> {
    let order = this.#closure(targets).filter((o) => !o.props.suspended || targets.includes(o));
    let retries = 0;
    let release: (() => Promise<void>) | undefined;
    let retry: (typeof OUT_OF_MEMORY_RETRIES)[number] | undefined;
    const history: HistoryRow[] = [];
    const outcomes: { id: number; action: string; state: string }[] = [];
    let failure: unknown;
    while (order.length) {
      const dataTimestamp = new Date(this.#o.now());
      const start = new Date();
      const results = new Map<number, RefreshResult>();
      let failed: CatalogObject | undefined;
      let error: unknown;
      this.#refreshing = true;
      try {
        await this.#w.refresher.transaction(async (s) => {
          // A stop between two statements (or before the first) cancels the refresh too, not
          // only one DuckDB is running when it comes.
          s.guard = () => {
            if (this.#stopped) throw new Error("INTERRUPT: the emulator is stopping");
          };
          try {
            for (const o of order) {
              failed = o;
              const rt = this.#runtimeOf(o);
              const compiled = this.#compiled(o);
              const incremental = o.props.refreshMode === "INCREMENTAL";
              const r = await refreshOne(this.#w, s, o, compiled, rt.marks, {
                incremental,
                keysPerPart: this.#o.keysPerPart,
                rowsPerPart: this.#o.rowsPerPart,
                parts: Math.max(this.#o.parts, retry?.parts ?? 1),
              });
              results.set(o.id, r);
              if (r.parts > 1) {
                this.#o.log.debug("refreshed in parts", {
                  dynamic_table: o.name,
                  action: r.action,
                  parts: r.parts,
                });
              }
              await s.run(`DELETE FROM ${STATE_TABLE} WHERE id = ?`, [o.id]);
              await s.run(`INSERT INTO ${STATE_TABLE} VALUES (?, ?, ?, 0)`, [
                o.id,
                dataTimestamp.toISOString(),
                JSON.stringify(r.marks),
              ]);
            }
          } finally {
            s.guard = undefined;
          }
          failed = undefined;
        });
      } catch (e) {
        error = e;
      } finally {
        this.#refreshing = false;
      }
      const end = new Date();
      if (!error) {
        for (const o of order) {
          const r = results.get(o.id)!;
          const rt = this.#runtimeOf(o);
          rt.dataTimestamp = dataTimestamp;
          rt.marks = r.marks;
          if (o.props.initialized === false) await this.#markInitialized(o);
          // An upstream table brought to the same data timestamp for a manual refresh or a
          // creation, with nothing new, moves its timestamp without a history row of its own:
          // the row the user asked for stays the latest one in its history.
          const quiet = trigger !== "SCHEDULED" && r.action === "NO_DATA" &&
            !targets.some((x) => x.id === o.id);
          if (!quiet) {
            history.push(
              this.#historyRow(
                o,
                "SUCCEEDED",
                null,
                r,
                dataTimestamp,
                start,
                end,
                trigger,
                queryId,
              ),
            );
          }
          outcomes.push({ id: o.id, action: r.action, state: "SUCCEEDED" });
        }
        break;
      }
      // A large refresh (a catch-up after a long pause, a first fill) may need more memory than
      // DuckDB's everyday limit: retried in parts, then with more memory, which is given back.
      if (
        retries < OUT_OF_MEMORY_RETRIES.length && !this.#stopped &&
        isMemoryShortage(error)
      ) {
        retry = OUT_OF_MEMORY_RETRIES[retries++];
        this.#o.log.info("refresh ran out of memory: retrying it in parts", {
          dynamic_table: failed?.name,
          parts: retry.parts,
          memory_limit: retry.memoryLimit ?? this.#w.memoryLimit,
          error: String((error as Error)?.message).slice(0, 300),
        });
        // A refresh whose commit failed has the warehouse reopened first.
        await this.#w.reopened();
        if (retry.memoryLimit) {
          await release?.();
          release = await this.#w.raiseMemory(retry.memoryLimit);
        }
        continue;
      }
      const cancelled = this.#stopped || /INTERRUPT/i.test(String((error as Error)?.message));
      const sqlError = mapError(error);
      if (cancelled || !failed) {
        for (const o of order) {
          history.push(
            this.#historyRow(
              o,
              "CANCELLED",
              cancelled ? "Refresh cancelled: the emulator is stopping." : sqlError.message,
              null,
              dataTimestamp,
              start,
              end,
              trigger,
              queryId,
            ),
          );
          outcomes.push({ id: o.id, action: "NO_DATA", state: "CANCELLED" });
        }
        failure = sqlError;
        break;
      }
      // The table that failed, and everything downstream of it, fail; the others are retried.
      const bad = new Set<number>([failed.id]);
      for (const o of order) {
        if (this.#upstreamByName(o).some((u) => bad.has(u.id))) bad.add(o.id);
      }
      for (const o of order.filter((x) => bad.has(x.id))) {
        const state = o.id === failed.id ? "FAILED" : "UPSTREAM_FAILED";
        history.push(
          this.#historyRow(
            o,
            state,
            o.id === failed.id ? sqlError.message : `Upstream dynamic table ${failed.name} failed.`,
            null,
            dataTimestamp,
            start,
            end,
            trigger,
            queryId,
          ),
        );
        outcomes.push({ id: o.id, action: "NO_DATA", state });
      }
      if (targets.some((t) => bad.has(t.id))) failure = sqlError;
      order = order.filter((x) => !bad.has(x.id));
    }
    await release?.();
    try {
      await this.#w.refresher.exclusive((s) => this.#history.record(s, history));
    } catch (e) {
      if (!this.#stopped) {
        this.#o.log.warn("could not record refresh history", { error: e as Error });
      }
    }
    await this.#countErrors(trigger, outcomes).catch((e) => {
      if (!this.#stopped) {
        this.#o.log.warn("could not suspend a failing dynamic table", { error: e });
      }
    });
    if (failure) throw failure;
    return outcomes;
  }

  /**
   * Suspends `targets` and every dynamic table downstream of them (which could not refresh
   * anyway), recording why: `reason` for the targets, `UPSTREAM_<reason>` for the others.
   */
  async #suspend(targets: readonly CatalogObject[], reason: string): Promise<void> {
    const all = this.#downstream(targets, () => true);
    const now = new Date().toISOString();
    await this.#w.writer.transaction(async (s) => {
      for (const o of all) {
        const target = targets.includes(o);
        if (o.props.suspended && !target) continue;
        const suspendReason = target ? reason : `UPSTREAM_${reason}`;
        o.props = { ...o.props, suspended: true, lastSuspendedOn: now, suspendReason };
        await this.#w.catalog.update(s, o);
      }
    });
  }

  /**
   * `from` and the dynamic tables downstream of them that `admit` lets in: a table reading one
   * already in (`up` are the tables it reads; `inSet` tells which are in), until none is added.
   */
  #downstream(
    from: readonly CatalogObject[],
    admit: (t: CatalogObject, up: CatalogObject[], inSet: (u: CatalogObject) => boolean) => boolean,
  ): CatalogObject[] {
    const out = [...from];
    const ids = new Set(out.map((o) => o.id));
    const inSet = (u: CatalogObject) => ids.has(u.id);
    for (let grew = true; grew;) {
      grew = false;
      for (const t of this.#tables()) {
        if (ids.has(t.id)) continue;
        const up = this.#upstreamByName(t);
        if (!up.some(inSet) || !admit(t, up, inSet)) continue;
        out.push(t);
        ids.add(t.id);
        grew = true;
      }
    }
    return out;
  }

  /** Counts scheduled refresh errors per table, and suspends a table that reached the limit. */
  async #countErrors(
    trigger: string,
    outcomes: readonly { id: number; state: string }[],
  ): Promise<void> {
    const over: CatalogObject[] = [];
    for (const out of outcomes) {
      const rt = this.#runtime.get(out.id);
      if (!rt) continue;
      if (out.state === "SUCCEEDED") rt.scheduledErrors = 0;
      else if (out.state === "FAILED" && trigger === "SCHEDULED") {
        rt.scheduledErrors = (rt.scheduledErrors ?? 0) + 1;
        const o = this.#w.catalog.byId(out.id);
        if (rt.scheduledErrors >= AUTO_SUSPEND_ERRORS && o && !o.props.suspended) over.push(o);
      }
    }
    if (!over.length || this.#stopped) return;
    for (const o of over) {
      this.#o.log.warn("dynamic table suspended after consecutive refresh errors", {
        dynamic_table: o.name,
        errors: AUTO_SUSPEND_ERRORS,
      });
    }
    await this.#suspend(over, "SUSPENDED_DUE_TO_ERRORS");
  }

  async #markInitialized(o: CatalogObject): Promise<void> {
    o.props = { ...o.props, initialized: true };
    await this.#w.writer.transaction((s) => this.#w.catalog.update(s, o)).catch(() => {});
  }

  #historyRow(
    o: CatalogObject,
    state: string,
    message: string | null,
    r: RefreshResult | null,
    dataTimestamp: Date,
    start: Date,
    end: Date,
    trigger: string,
    queryId: string | null,
  ): HistoryRow {
    const lag = o.props.targetLag as TargetLag;
    return {
      id: o.id,
      database: o.database,
      schema: o.schema,
      name: o.name,
      state,
      stateCode: state === "SUCCEEDED" ? null : state,
      stateMessage: message,
      queryId,
      dataTimestamp,
      start,
      end,
      completionTarget: lag.kind === "duration"
        ? new Date(dataTimestamp.getTime() + lag.seconds * 1000)
        : null,
      statistics: r
        ? {
          numInsertedRows: r.inserted,
          numDeletedRows: r.deleted,
          numCopiedRows: 0,
          numAddedPartitions: 0,
          numRemovedPartitions: 0,
        }
        : {},
      action: r?.action ?? "NO_DATA",
      trigger,
      targetLagSec: lag.kind === "duration" ? lag.seconds : null,
    };
  }

  /**
   * Tables due for the scheduler: their data is older than half their lag (scaled), or older
   * than `freshMs` while rows they read have changed since. Refreshing more often than the lag
   * asks keeps within it too, and a local refresh costs what the new rows touch.
   */
  #due(now: number): CatalogObject[] {
    const out: CatalogObject[] = [];
    for (const o of this.#tables()) {
      if (o.props.suspended) continue;
      const lag = o.props.targetLag as TargetLag;
      if (lag.kind !== "duration") continue;
      const ts = this.#runtime.get(o.id)?.dataTimestamp;
      const half = (lag.seconds * 1000 * this.#o.lagScale) / 2;
      const age = ts ? now - ts.getTime() : Infinity;
      const fresh = Math.max(this.#o.freshMs, 4 * this.#lastScheduledMs);
      if (age >= half || (age >= Math.min(half, fresh) && this.#hasNewData(o))) {
        out.push(o);
      }
    }
    return out;
  }

  /** True when a table read by `o` or by a dynamic table upstream of it changed since. */
  #hasNewData(o: CatalogObject): boolean {
    for (const t of this.#closure([o])) {
      const marks = this.#runtime.get(t.id)?.marks;
      if (!marks) return true;
      for (const id of (t.props.sources as number[] | undefined) ?? []) {
        const src = this.#w.catalog.byId(id);
        if (!src || src.kind !== "TABLE") continue;
        const m = marks[String(id)];
        if (!m || this.#w.nextRow(id) > m.row || this.#w.nextLogSeq(id) > m.logSeq) return true;
      }
      // A view or function it reads through was replaced: it reads differently now.
      const inputs = this.#runtimeOf(t).compiled?.definitionInputs ?? [];
      if (inputs.some((id) => !marks[definitionMark(id)] || !this.#w.catalog.byId(id))) return true;
    }
    return false;
  }

  /** Starts the scheduler. */
  start(): void {
    if (!this.#o.autoRefresh || this.#timer !== undefined || this.#stopped) return;
    const tick = async () => {
      this.#timer = undefined;
      if (this.#stopped) return;
      try {
        // Between catalog statements: see `Warehouse.catalogTurn`.
        await this.#w.catalogTurn(async () => {
          if (this.#stopped) return;
          const due = this.#due(this.#o.now());
          if (!due.length) return;
          const started = performance.now();
          try {
            await this.refresh(due, "SCHEDULED");
          } finally {
            this.#lastScheduledMs = performance.now() - started;
          }
        });
      } catch (e) {
        if (!this.#stopped) {
          this.#o.log.warn("scheduled refresh failed", { error: (e as Error).message });
        }
      }
      if (!this.#stopped) this.#timer = setTimeout(tick, this.#o.tickMs);
    };
    this.#timer = setTimeout(tick, 0);
  }

  /** Refreshes every dynamic table now (tests, and benchmarks). */
  async refreshAll(): Promise<void> {
    const all = this.#tables().filter((o) => !o.props.suspended);
    if (all.length) await this.refresh(all, "MANUAL");
  }

  /** True while a refresh runs. */
  get refreshing(): boolean {
    return this.#refreshing;
  }

  /** Stops the scheduler and cuts a refresh in progress short (it rolls back and resumes later). */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#refreshing) this.#w.refresher.interrupt();
    await this.#running;
  }

  /** Data timestamps of every dynamic table (null before its first refresh). */
  dataTimestamps(): Map<string, Date | null> {
    return new Map(
      this.#tables().map((o) => [fullText(o), this.#runtime.get(o.id)?.dataTimestamp ?? null]),
    );
  }
}
