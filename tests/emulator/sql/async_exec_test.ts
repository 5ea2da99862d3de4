/**
 * snowflake-sdk's asynchronous queries against the emulator: `execute({ asyncExec: true })` gives
 * a query id at once, `getQueryStatus(id)` polls it, `getResultsFromQueryId({ queryId })` reads its
 * rows, as a program written for Snowflake does.
 */
import assert from "node:assert/strict";
import { startConformanceEmulator } from "./conformance/harness.ts";

Deno.test({
  name: "asyncExec: a query id at once, its status, then its rows by id",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const emu = await startConformanceEmulator();
    const sdk = (await import("snowflake-sdk")).default;
    sdk.configure({ logLevel: "ERROR" });
    const conn = sdk.createConnection(
      {
        account: "LIFTLINE",
        username: "STREAMING_INGEST",
        authenticator: "SNOWFLAKE_JWT",
        privateKey: emu.privateKeyPem,
        accessUrl: emu.url,
        database: "STREAMING_INGEST",
        schema: "STREAMING_INGEST",
        warehouse: "W",
      } as Parameters<typeof sdk.createConnection>[0],
    );
    try {
      await new Promise<void>((res, rej) => conn.connect((e) => (e ? rej(e) : res())));
      const queryId = await new Promise<string>((res, rej) =>
        conn.execute({
          sqlText: "SELECT COUNT(*) AS N, SUM(SEQ4()) AS S FROM TABLE(GENERATOR(ROWCOUNT => 1000))",
          asyncExec: true,
          complete: (e, stmt) => (e ? rej(e) : res(stmt.getQueryId())),
        })
      );
      assert.match(queryId, /^[0-9a-f-]{36}$/);
      assert.equal(await conn.getQueryStatus(queryId), "SUCCESS");
      const stmt = await conn.getResultsFromQueryId({ queryId });
      const rows: unknown[] = [];
      await new Promise<void>((res, rej) =>
        stmt.streamRows().on("data", (r: unknown) => rows.push(r)).on("end", () => res()).on(
          "error",
          rej,
        )
      );
      assert.deepEqual(rows, [{ N: 1000, S: 499500 }]);
      // A query id the account does not hold has no data, as Snowflake answers after retention.
      assert.equal(
        await conn.getQueryStatus("01234567-89ab-cdef-0123-456789abcdef"),
        "NO_QUERY_DATA",
      );
    } finally {
      await new Promise((r) => conn.destroy(r));
      await emu.close();
    }
  },
});
