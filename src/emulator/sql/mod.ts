/**
 * The emulator's SQL side as one extension: the dynamic-table engine over `warehouse.db` (its
 * tables created and its scheduler started when the emulator starts) and the snowflake-sdk
 * endpoints that query it. `startEmulator` includes it by default.
 *
 * @module
 */
import type { Hono } from "hono";
import type { EmulatorContext, EmulatorExtension } from "../mod.ts";
import { RAW_TABLES } from "../warehouse.ts";
import { publicKeyBody } from "../../snowflake/keys.ts";
import { type ResortCapacityRow, resortCapacityRows } from "../../../sql/render.ts";
import facts from "../../generator/resorts.json" with { type: "json" };
import { type DynamicEngineOptions, DynamicTableEngine } from "../dynamic/engine.ts";
import { ensureSchema } from "../dynamic/schema.ts";
import { SessionStore, type SessionStoreOptions } from "./sessions.ts";
import { type EmulatorSqlNames, SetupMatcher } from "./setup_match.ts";
import { StatementExecutor } from "./statements.ts";
import { registerSqlRoutes } from "./routes.ts";

export {
  dynamicTableBacklog,
  DynamicTableEngine,
  dynamicTableStates,
  RefreshCancelledError,
  RefreshError,
} from "../dynamic/engine.ts";
export type {
  DynamicEngineOptions,
  DynamicTableBacklog,
  RefreshOutcome,
} from "../dynamic/engine.ts";
export { StatementExecutor } from "./statements.ts";
export { SqlError } from "./result.ts";

/** Options of {@link sqlExtension}. */
export interface SqlExtensionOptions extends DynamicEngineOptions {
  /** Refresh dynamic tables on their target lag (default true); tests may refresh by hand. */
  autoRefresh?: boolean;
  /** RESORT_CAPACITY rows (default: resorts.json). */
  resorts?: readonly ResortCapacityRow[];
  /** Session and master token lifetimes. */
  sessions?: SessionStoreOptions;
}

/** The extension, with handles on what it runs (for in-process use and tests). */
export interface SqlExtension extends EmulatorExtension {
  /** The dynamic-table engine; throws before the emulator built its app. */
  readonly engine: DynamicTableEngine;
  /** Runs statements as the SQL API does, without HTTP. */
  readonly executor: StatementExecutor;
  /** Open SQL sessions. */
  readonly sessions: SessionStore;
}

/** The SQL API and dynamic tables of the emulator. */
export function sqlExtension(options: SqlExtensionOptions = {}): SqlExtension {
  const sessions = new SessionStore(options.sessions);
  let state: { engine: DynamicTableEngine; executor: StatementExecutor } | undefined;
  const ensure = (ctx: EmulatorContext) => {
    if (state) return state;
    const resorts = options.resorts ?? resortCapacityRows(facts);
    const db = ctx.warehouse.db;
    ensureSchema(db, resorts);
    const engine = new DynamicTableEngine(db, {
      ...options,
      log: options.log ?? ctx.log.child("dynamic"),
    });
    const names: EmulatorSqlNames = {
      account: ctx.options.account,
      database: ctx.options.database,
      schema: ctx.options.schema,
      user: ctx.options.user,
      pipes: ctx.options.pipes,
      publicKeyBody: publicKeyBody(ctx.options.publicKeyPem),
    };
    const executor = new StatementExecutor({
      db,
      engine,
      names,
      setup: new SetupMatcher(names, resorts),
      rawTables: RAW_TABLES,
    });
    state = { engine, executor };
    return state;
  };
  const need = () => {
    if (!state) throw new Error("the SQL extension is not attached to an emulator yet");
    return state;
  };
  return {
    get engine() {
      return need().engine;
    },
    get executor() {
      return need().executor;
    },
    sessions,
    routes(app: Hono, ctx: EmulatorContext) {
      const s = ensure(ctx);
      registerSqlRoutes(app, {
        names: {
          account: ctx.options.account,
          database: ctx.options.database,
          schema: ctx.options.schema,
          user: ctx.options.user,
          pipes: ctx.options.pipes,
          publicKeyBody: publicKeyBody(ctx.options.publicKeyPem),
        },
        sessions,
        verifyKeypairJwt: (token) => ctx.auth.verifyKeypairJwt(token),
        executor: () => s.executor,
        log: ctx.log.child("sql"),
      });
    },
    start(ctx: EmulatorContext) {
      const s = ensure(ctx);
      if (options.autoRefresh ?? true) s.engine.start();
    },
    // Cuts a refresh in progress short at its next chunk boundary (it resumes on the next start).
    async stop() {
      await state?.engine.stop();
    },
  };
}
