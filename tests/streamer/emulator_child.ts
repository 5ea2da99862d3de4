/**
 * An emulator process for the crash tests.
 *
 * `deno run -A emulator_child.ts <dataDir> <port> <commitDelayMs> [faults]` — sets liftline's
 * tables and pipes up through SQL on its first start (a restart finds them in its catalog), prints
 * its URL on the first line of stdout once it listens; SIGTERM closes it cleanly.
 */
import { startEmulator } from "../../src/emulator/mod.ts";
import { provision } from "../helpers/liftline_emulator.ts";

if (import.meta.main) {
  const [dataDir, port, delay, faults] = Deno.args;
  const emu = await startEmulator({
    dataDir,
    port: Number(port),
    commitDelayMs: Number(delay),
    faults: faults ?? "",
    dynamic: { autoRefresh: false },
  });
  const sql = emu.localClient();
  if ((await sql.query("SHOW PIPES")).rows.length === 0) await provision(sql);
  await sql.close();
  console.log(emu.url);
  Deno.addSignalListener("SIGTERM", async () => {
    await emu.close();
    Deno.exit(0);
  });
}
