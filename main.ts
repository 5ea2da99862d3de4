/**
 * liftline's entry point: parses the command line and hands over to the command.
 *
 * The same module is the entry of liftline's worker threads (src/threads.ts), so that a worker
 * needs no file beside the program, also when it is bundled into one file. It therefore imports
 * nothing at the top but the test for that, and loads the rest of either side on demand: a worker
 * never loads the web server, the emulator or the configuration schema.
 *
 * @module
 */
import { workerRole } from "./src/threads.ts";

/** Runs liftline with `argv` and returns the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const cli = await import("./src/cli/main.ts");
  return await cli.main(argv);
}

const role = workerRole();
if (role === "generator") {
  await import("./src/generator/worker.ts");
} else if (role === "queue-deleter") {
  await import("./src/queue/deleter_worker.ts");
} else if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
