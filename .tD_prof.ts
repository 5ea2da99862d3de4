// build or reuse a 5M db and profile incremental refresh statements
import { DatabaseSync } from "node:sqlite";
import { Warehouse } from "./src/emulator/warehouse.ts";
import { ensureSchema } from "./src/emulator/dynamic/schema.ts";
import { DynamicTableEngine } from "./src/emulator/dynamic/engine.ts";
import { resortCapacityRows } from "./sql/render.ts";
import facts from "./src/generator/resorts.json" with { type: "json" };
const path = Deno.args[0];
const wh = new Warehouse(path);
ensureSchema(wh.db, resortCapacityRows(facts));
// monkeypatch prepare to time statements
const db = wh.db as any;
const times = new Map<string, number>();
const origPrepare = db.prepare.bind(db);
db.prepare = (sql: string) => {
  const st = origPrepare(sql);
  const key = sql.replace(/\s+/g, " ").slice(0, 90);
  for (const m of ["run", "all", "get"]) {
    const f = st[m].bind(st);
    st[m] = (...a: unknown[]) => { const t = performance.now(); try { return f(...a); } finally { times.set(key, (times.get(key) ?? 0) + performance.now() - t); } };
  }
  return st;
};
const engine = new DynamicTableEngine(wh.db, { chunkRides: 200000 });
await engine.refreshAll();
const n = (wh.db.prepare("select max(rowid) m from LIFT_RIDE").get() as any).m;
console.log("rides", n);
// add 10k rides
const lastDay = (wh.db.prepare("select max(VISIT_DATE) d from DAILY_VISITS").get() as any).d;
const riders = wh.db.prepare("SELECT RFID, RESORT FROM DAILY_VISITS WHERE VISIT_DATE = ? LIMIT 2000").all(lastDay) as any[];
const ins = wh.db.prepare("INSERT INTO LIFT_RIDE (TXID, RFID, RESORT, LIFT, RIDE_TIME, ACTIVATION_DAY_COUNT) VALUES (?,?,?,?,?,1)");
for (let rep = 0; rep < 3; rep++) {
wh.db.exec("BEGIN");
for (let i = 0; i < 10000; i++) { const w = riders[i % riders.length]; ins.run(`x${rep}_${i}`, w.RFID, w.RESORT, "L", `${lastDay} 23:${String(Math.floor(i/200)).padStart(2,"0")}:00.000`); }
wh.db.exec("COMMIT");
times.clear();
const t0 = performance.now();
await engine.refreshAll();
console.log("refresh", performance.now() - t0);
console.log([...times].sort((a,b)=>b[1]-a[1]).slice(0,8).map(([k,v])=>`${v.toFixed(1)}ms ${k}`).join("\n"));
}
await engine.stop(); wh.close();
