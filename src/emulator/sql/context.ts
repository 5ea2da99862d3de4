/**
 * What a statement runs with: the session, the warehouse, the result store, and the services
 * statements reach (dynamic tables, pipes), plus what a statement returns.
 *
 * @module
 */
import type { Logger } from "../../log.ts";
import type { Warehouse } from "../warehouse/warehouse.ts";
import type { SfType } from "../warehouse/types.ts";
import type { ResultStore } from "./results.ts";
import type { BindValue, SessionContext } from "./translate/context.ts";
import type { Node } from "./ast.ts";

/** Session state statements read and change. */
export interface SessionState {
  readonly id: string;
  readonly user: string;
  readonly account: string;
  database: string | null;
  schema: string | null;
  warehouse: string | null;
  role: string | null;
  /** TIMEZONE session parameter (IANA name). */
  timezone: string;
  /** Other session parameters set with ALTER SESSION (name → value text). */
  readonly parameters: Map<string, string>;
  /** Ids of the session's statements, oldest first (for LAST_QUERY_ID). */
  readonly queryIds: string[];
  /** The open transaction, between BEGIN and COMMIT/ROLLBACK. */
  transaction: SessionTransaction | undefined;
  /** Why the session's transaction was rolled back, until the session ends it (see
   * `transactions.ts`). */
  transactionAborted: string | undefined;
  /** Session variables (`SET x = …`), by stored name. */
  readonly variables: Map<string, SessionVariable>;
  /**
   * Set while an array-bind DML statement runs its parts in a transaction of its own: the
   * session's other statements wait for it, so that none of them runs inside that transaction.
   */
  statementInProgress?: Promise<void>;
  /** How many of the session's statements run now. */
  statementsRunning?: number;
  /**
   * The query id the session's next statement takes: the SQL API answers a statement's handle
   * before it runs (`async=true`), and the handle is its query id.
   */
  nextQueryId?: string;
}

import type { SessionVariable } from "./variables.ts";
import type { SessionTransaction, WriteLane } from "./transactions.ts";

/** Statement type ids snowflake-sdk knows. */
export const STATEMENT_TYPE = {
  select: 0x1000,
  session: 0x2000,
  insert: 0x3100,
  update: 0x3200,
  delete: 0x3300,
  merge: 0x3400,
  ddl: 0x6000,
} as const;

/** What a statement produced, before it is stored as a result. */
export type Outcome =
  /** A DuckDB query whose rows are the result. */
  | {
    readonly kind: "query";
    readonly sql: string;
    readonly columns: readonly { readonly name: string; readonly type: SfType }[];
    readonly statementType: number;
    /** Runs on the writer lane (it reads a stream it consumes). */
    readonly lane?: "reader";
    /** The catalog objects it reads (to tell whether it needs its transaction's writes). */
    readonly reads?: Iterable<{ readonly id: number; readonly kind: string }>;
  }
  /** Rows computed here. */
  | {
    readonly kind: "rows";
    readonly columns: readonly { readonly name: string; readonly type: SfType }[];
    readonly rows: readonly (readonly unknown[])[];
    readonly statementType: number;
    /** The values are DuckDB's text of each value (cast back to the column's type). */
    readonly asText?: boolean;
  };

/** Services a statement may call besides the warehouse. */
export interface StatementServices {
  /** Dynamic tables: create, alter, drop, refresh, state. */
  readonly dynamic: import("../dynamic/service.ts").DynamicTables;
  /** Called when pipes change, so that the streaming side re-reads them. */
  pipesChanged?(): void;
}

/** Everything one statement runs with. */
export interface StatementContext {
  readonly warehouse: Warehouse;
  readonly results: ResultStore;
  readonly session: SessionState;
  readonly queryId: string;
  readonly text: string;
  /**
   * The text the SQL parser read, when it is not `text` (Snowflake syntax it does not take was
   * rewritten): positions in the parsed tree are positions in it.
   */
  source?: string;
  readonly binds: readonly BindValue[];
  readonly services: StatementServices;
  /** Where the statement's DML writes: in the session's open transaction, or on its own. */
  readonly writer: WriteLane;
  readonly log: Logger;
  /** The session as the translator sees it. */
  readonly sessionContext: SessionContext;
  /** Parses a query (function bodies, view definitions). */
  readonly parseQuery: (text: string) => Node;
  /** Values found for the statement's translation (see `ValuesNeeded`). */
  readonly lookups: Map<string, readonly string[]>;
}

/** The status row of a DDL or session statement. */
export function status(message: string, statementType: number = STATEMENT_TYPE.ddl): Outcome {
  return {
    kind: "rows",
    columns: [{ name: "status", type: { kind: "VARCHAR", length: 16_777_216 } }],
    rows: [[message]],
    statementType,
  };
}
