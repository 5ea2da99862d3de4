/**
 * The Snowflake SQL under `sql/`, embedded as text so that `deno compile` and `deno bundle`
 * outputs carry it.
 *
 * @module
 */
import tablesSql from "./tables.sql" with { type: "text" };
import accountSql from "./account.sql" with { type: "text" };
import pipesSql from "./pipes.sql" with { type: "text" };
import resortCapacitySql from "./resort_capacity.sql" with { type: "text" };
import dynamicTablesSql from "./dynamic_tables.sql" with { type: "text" };
import viewsSql from "./views.sql" with { type: "text" };
import liftPerformanceSql from "./lift_performance.sql" with { type: "text" };

/** DDL of the three raw tables: the one source of their columns and types. */
export const TABLES_SQL: string = tablesSql;
/** Warehouse, role, database, schema, service user and its key (placeholders: see render.ts). */
export const ACCOUNT_SQL: string = accountSql;
/** The three Snowpipe Streaming pipes. */
export const PIPES_SQL: string = pipesSql;
/** RESORT_CAPACITY and the MERGE that fills it from resorts.json. */
export const RESORT_CAPACITY_SQL: string = resortCapacitySql;
/** The six dynamic tables of the report chain. */
export const DYNAMIC_TABLES_SQL: string = dynamicTablesSql;
/** V_DAILY_REVENUE_PERFORMANCE and V_DAILY_NETWORK_METRICS. */
export const VIEWS_SQL: string = viewsSql;
/** GET_RESORT_LIFT_PERFORMANCE, the 30-minute lift ranking. */
export const LIFT_PERFORMANCE_SQL: string = liftPerformanceSql;

/** The dynamic tables that dynamic_tables.sql creates, upstream first. */
export const DYNAMIC_TABLE_NAMES = [
  "DAILY_VISITS",
  "HOURLY_LIFT_ACTIVITY",
  "HOURLY_AMORTIZED_REVENUE",
  "HOURLY_RESORT_SUMMARY",
  "DAILY_RESORT_SUMMARY",
  "WEEKLY_RESORT_SUMMARY",
] as const;
