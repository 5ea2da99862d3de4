/**
 * DuckDB's allocator is set up, from inside the program, to return the pages it no longer uses:
 * the setting must reach the jemalloc that DuckDB loads, and a user's own setting must win. Each
 * case runs in a process of its own, since jemalloc reads its settings once, when DuckDB loads.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const DUCKDB_MODULE = fileURLToPath(
  new URL("../../src/emulator/warehouse/duckdb.ts", import.meta.url),
);

/** The library the addon loaded (this machine's build), found in the project's npm folder. */
async function libraryPath(): Promise<string> {
  const root = fileURLToPath(new URL("../../node_modules/.deno/", import.meta.url));
  for await (const e of Deno.readDir(root)) {
    if (!/^@duckdb\+node-bindings-linux-x64@/.test(e.name)) continue;
    return `${root}${e.name}/node_modules/@duckdb/node-bindings-linux-x64/libduckdb.so`;
  }
  throw new Error("DuckDB's linux-x64 bindings are not installed");
}

/**
 * Opens DuckDB through liftline's loader in a new process (with `env` added) and answers
 * jemalloc's `opt.muzzy_decay_ms` as that DuckDB's allocator took it.
 */
async function muzzyDecayMs(env: Record<string, string>): Promise<number> {
  const script = `
    const { loadDuckDB } = await import(${JSON.stringify(DUCKDB_MODULE)});
    const duck = await loadDuckDB();
    const db = await duck.DuckDBInstance.create(":memory:");
    const c = await db.connect();
    await c.run("CREATE TABLE t AS SELECT range AS x FROM range(100000)");
    const lib = Deno.dlopen(${JSON.stringify(await libraryPath())}, {
      duckdb_je_mallctl: { parameters: ["buffer", "buffer", "buffer", "buffer", "usize"], result: "i32" },
    });
    const out = new BigInt64Array(1);
    const len = new BigUint64Array([8n]);
    const rc = lib.symbols.duckdb_je_mallctl(
      new TextEncoder().encode("opt.muzzy_decay_ms\\0"),
      new Uint8Array(out.buffer), new Uint8Array(len.buffer), null, 0);
    if (rc !== 0) throw new Error("mallctl failed: " + rc);
    console.log(String(out[0]));
  `;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", script],
    env: { RUST_BACKTRACE: "0", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, stderr);
  return Number(new TextDecoder().decode(out.stdout).trim());
}

Deno.test("DuckDB's allocator returns unused pages outright, unless the user set it otherwise", async () => {
  // Not set in the environment: liftline's setting reaches the allocator DuckDB loads.
  assert.equal(await muzzyDecayMs({}), 0);
  // The user's own jemalloc settings are kept as they are.
  assert.equal(await muzzyDecayMs({ DUCKDB_JE_MALLOC_CONF: "muzzy_decay_ms:5000" }), 5000);
});
