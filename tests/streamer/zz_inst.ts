const cpu0 = () => { const f = Deno.readTextFileSync("/proc/self/stat").split(") ")[1].split(" "); return (Number(f[11]) + Number(f[12])) * 10; };
import { Outbox } from "../../src/queue/outbox.ts";
import { StreamingClient } from "../../src/snowflake/streaming_client.ts";
import { Warehouse } from "../../src/emulator/warehouse.ts";
const T: Record<string, number> = {};
function wrap(proto: any, name: string, async = false) {
  const orig = proto[name];
  proto[name] = function (...a: unknown[]) {
    const t = performance.now();
    const r = orig.apply(this, a);
    if (async) return r.finally(() => { T[name] = (T[name] ?? 0) + performance.now() - t; });
    T[name] = (T[name] ?? 0) + performance.now() - t;
    return r;
  };
}
let cStart = 0, wStart = 0;
{ const o = Outbox.prototype.readAfter; Outbox.prototype.readAfter = function (...a: any[]) { if (!cStart) { cStart = cpu0(); wStart = performance.now(); } return o.apply(this, a as any); }; }
wrap(Outbox.prototype, "readAfter"); wrap(Outbox.prototype, "deleteThrough"); wrap(Outbox.prototype, "depth");
wrap(StreamingClient.prototype, "prepareAppend", true); wrap(StreamingClient.prototype, "appendRows", true); wrap(StreamingClient.prototype, "channelStatus", true);
wrap(Warehouse.prototype, "commitBatches");
import { Pipe } from "../../src/emulator/pipe.ts";
import { StreamingService } from "../../src/emulator/channels.ts";
import * as hb from "../../src/emulator/http_body.ts";
wrap(Pipe.prototype, "parse"); wrap(StreamingService.prototype, "append"); wrap(StreamingService.prototype, "status");
import { TableStreamer } from "../../src/streamer/table_streamer.ts";
wrap(TableStreamer.prototype, "tick");
let appends = 0, statuses = 0;
const oa = StreamingClient.prototype.appendRows; StreamingClient.prototype.appendRows = function (...a: any[]) { appends++; return oa.apply(this, a as any); };
const os = StreamingClient.prototype.channelStatus; StreamingClient.prototype.channelStatus = function (...a: any[]) { statuses++; return os.apply(this, a as any); };
globalThis.addEventListener("unload", () => console.log("appends", appends, "statuses", statuses));

const t0 = performance.now();
const mod = await import("../../bench/streamer.ts");
void mod;
Deno.args[0];
T.reset = 0; for (const k in T) T[k] = 0;
const cpu = () => { const f = Deno.readTextFileSync("/proc/self/stat").split(") ")[1].split(" "); return (Number(f[11]) + Number(f[12])) * 10; };
const c1 = cpu();
const t1 = performance.now();
await mod.throughput((r) => console.log(JSON.stringify(r)));
for (const e of Deno.readDirSync("/proc/self/task")) { const st = Deno.readTextFileSync(`/proc/self/task/${e.name}/stat`); const name = st.slice(st.indexOf("(") + 1, st.indexOf(")")); const f = st.split(") ")[1].split(" "); const ms = (Number(f[11]) + Number(f[12])) * 10; if (ms > 50) console.log("thread", name, ms); }
console.log("streaming wall", (performance.now() - wStart).toFixed(0), "cpu ms", cpu() - cStart);
for (const k in T) console.log(k, T[k].toFixed(0));
