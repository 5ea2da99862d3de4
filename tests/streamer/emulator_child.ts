/**
 * An emulator process for the crash tests.
 *
 * `deno run -A emulator_child.ts <dataDir> <port> <commitDelayMs> [faults]` — prints its URL on
 * the first line of stdout once it listens; SIGTERM closes it cleanly.
 */
import { startEmulator } from "../../src/emulator/mod.ts";

if (import.meta.main) {
  const [dataDir, port, delay, faults] = Deno.args;
  const emu = await startEmulator({
    dataDir,
    port: Number(port),
    commitDelayMs: Number(delay),
    faults: faults ?? "",
  });
  console.log(emu.url);
  Deno.addSignalListener("SIGTERM", async () => {
    await emu.close();
    Deno.exit(0);
  });
}
