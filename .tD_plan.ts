import { DatabaseSync } from "node:sqlite";
const db = new DatabaseSync(Deno.args[0]);
db.exec(`CREATE TEMP TABLE IF NOT EXISTS _dt_affected_visits (VISIT_DATE TEXT, RESORT TEXT, RFID TEXT, PRIMARY KEY (VISIT_DATE, RESORT, RFID)) WITHOUT ROWID;`);
const sql = Deno.readTextFileSync("/tmp/tD/q.sql");
for (const r of db.prepare("EXPLAIN QUERY PLAN " + sql).all() as any[]) console.log(r.id, r.parent, r.detail);
