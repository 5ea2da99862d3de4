import { History } from "./bench/reports.ts";
import { Warehouse } from "./src/emulator/warehouse.ts";
const wh = new Warehouse(Deno.args[0]);
const h = new History(wh.db);
h.fillTo(Number(Deno.args[1]));
wh.close();
