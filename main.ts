/**
 * liftline's entry point: parses the command line and hands over to the command.
 *
 * The same module is the entry of liftline's worker thread (src/threads.ts), so that the worker
 * needs no file beside the program, also when it is bundled into one file. It therefore imports
 * nothing at the top but the test for that and the early-signal guard, and loads the rest of
 * either side on demand: the worker never loads the web server, the emulator or the
 * configuration schema.
 *
 * @module
 */
import { isLiftlineWorker } from "./src/threads.ts";
import { stopEarlyOnSignal } from "./src/app/early_stop.ts";

/** Runs liftline with `argv` and returns the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const cli = await import("./src/cli/main.ts");
  return await cli.main(argv);
}

if (isLiftlineWorker()) {
  await import("./src/worker_host.ts");
} else if (import.meta.main) {
  stopEarlyOnSignal();
  Deno.exit(await main(Deno.args));
}
