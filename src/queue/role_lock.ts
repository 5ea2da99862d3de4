/**
 * One generator and one streamer per data folder. Two generators on one queue would queue every
 * row twice (the same seed makes the same rows), and two streamers would send the same rows on
 * the same channels; a `generate` beside a `stream` is fine. Each role holds an exclusive SQLite
 * transaction on its own small file (`generator.lock`, `streamer.lock`) for the process's life:
 * the operating system releases it when the process ends, kill -9 included, and a second holder
 * is refused at once instead of waiting.
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { ConfigError } from "../config/error.ts";

/** A role this data folder has one of at most. */
export type Role = "generator" | "streamer";

/** A held role; {@link release} ends it (so does the end of the process). */
export interface RoleLock {
  release(): void;
}

/** Takes `role` in `dataDir`, or throws a ConfigError naming DATA_DIR and the holder's PID. */
export function lockRole(dataDir: string, role: Role): RoleLock {
  const db = new DatabaseSync(join(dataDir, `${role}.lock`), { timeout: 0 });
  try {
    db.exec("BEGIN EXCLUSIVE");
  } catch (e) {
    db.close();
    if (!/locked|busy/i.test(String((e as Error)?.message))) throw e;
    const pid = readPid(dataDir, role);
    throw new ConfigError(
      "DATA_DIR",
      `${dataDir} is in use: another liftline process${
        pid ? ` (pid ${pid})` : ""
      } runs its ${role} there; stop it or use another data folder`,
    );
  }
  try {
    Deno.writeTextFileSync(join(dataDir, `${role}.pid`), `${Deno.pid}\n`);
  } catch {
    // Only the refusal's message reads it.
  }
  return {
    release() {
      try {
        db.exec("ROLLBACK");
      } catch {
        // Already ended.
      }
      db.close();
      try {
        Deno.removeSync(join(dataDir, `${role}.pid`));
      } catch {
        // Gone already.
      }
    },
  };
}

function readPid(dataDir: string, role: Role): string | undefined {
  try {
    return Deno.readTextFileSync(join(dataDir, `${role}.pid`)).trim() || undefined;
  } catch {
    return undefined;
  }
}
