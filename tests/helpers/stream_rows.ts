/**
 * Rows into an emulator the way Snowpipe Streaming brings them: JSON lines appended to a channel of
 * each table's pipe, coerced by the pipe and committed by the emulator's commit path. In process
 * (the emulator's streaming service, without HTTP), for fixtures that need rows quickly.
 *
 * @module
 */
import { type TableName, TABLES } from "../../src/config/load.ts";
import type { RunningEmulator } from "../../src/emulator/mod.ts";
import { plainPayload } from "../../src/emulator/http_body.ts";

/** Rows per append (the body of one request). */
const ROWS_PER_APPEND = 20_000;

/**
 * Appends JSON rows (one object per string) to channel `channel` of each table's pipe
 * `<TABLE>_PIPE` and waits until they are committed. Throws when the pipe rejected any row or a
 * commit did not come: a fixture's rows must all land.
 */
export async function streamRows(
  emu: RunningEmulator,
  rows: Partial<Record<TableName, readonly string[]>>,
  channel = "fixture",
): Promise<void> {
  const { streaming, options } = emu.context;
  const encoder = new TextEncoder();
  for (const table of TABLES) {
    const lines = rows[table];
    if (!lines || lines.length === 0) continue;
    const pipe = streaming.resolvePipe(options.database, options.schema, `${table}_PIPE`);
    const before = streaming.status(pipe, [channel]).channel_statuses[channel];
    const inserted = before?.rows_inserted ?? 0;
    const errors = before?.rows_error_count ?? 0;
    const offset = Number(before?.last_committed_offset_token ?? 0);
    let token = (await streaming.open(pipe, channel)).next_continuation_token;
    for (let i = 0; i < lines.length; i += ROWS_PER_APPEND) {
      const part = lines.slice(i, i + ROWS_PER_APPEND);
      const end = String(offset + i + part.length);
      const body = plainPayload(encoder.encode(part.join("\n") + "\n"));
      token = (await streaming.append(pipe, channel, token, end, body)).next_continuation_token;
    }
    // With a commit delay the rows land later: wait for them (briefly).
    const deadline = Date.now() + 10_000 + options.commitDelayMs;
    for (;;) {
      const st = streaming.status(pipe, [channel]).channel_statuses[channel];
      if (st.rows_error_count > errors) {
        throw new Error(`fixture rows rejected by ${pipe.name}: ${st.last_error_message}`);
      }
      if (st.rows_inserted - inserted === lines.length) break;
      if (Date.now() > deadline) {
        throw new Error(
          `${pipe.name}: ${st.rows_inserted - inserted} of ${lines.length} fixture rows committed`,
        );
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}
