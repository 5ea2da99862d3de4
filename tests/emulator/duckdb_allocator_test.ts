/**
 * DuckDB's allocator is set up, from inside the program, to keep one arena without thread caches
 * and to return the pages it no longer uses: the settings must reach the jemalloc that DuckDB
 * loads, and a user's own setting must win. Each case runs in a process of its own, since jemalloc
 * reads its settings once, when DuckDB loads.
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

/** jemalloc options read back, with the size of each one's value in bytes. */
const OPTIONS = { "opt.muzzy_decay_ms": 8, "opt.narenas": 4, "opt.tcache": 1 } as const;
type Option = keyof typeof OPTIONS;

/**
 * Opens DuckDB through liftline's loader in a new process (with `env` added) and answers
 * jemalloc's options as that DuckDB's allocator took them.
 */
async function allocatorOptions(env: Record<string, string>): Promise<Record<Option, number>> {
  const script = `
    const { loadDuckDB } = await import(${JSON.stringify(DUCKDB_MODULE)});
    const duck = await loadDuckDB();
    const db = await duck.DuckDBInstance.create(":memory:");
    const c = await db.connect();
    await c.run("CREATE TABLE t AS SELECT range AS x FROM range(100000)");
    const lib = Deno.dlopen(${JSON.stringify(await libraryPath())}, {
      duckdb_je_mallctl: { parameters: ["buffer", "buffer", "buffer", "buffer", "usize"], result: "i32" },
    });
    const read = (name, size) => {
      const out = new Uint8Array(8);
      const len = new BigUint64Array([BigInt(size)]);
      const rc = lib.symbols.duckdb_je_mallctl(
        new TextEncoder().encode(name + "\\0"), out, new Uint8Array(len.buffer), null, 0);
      if (rc !== 0) throw new Error("mallctl " + name + " failed: " + rc);
      const view = new DataView(out.buffer);
      return size === 8 ? Number(view.getBigInt64(0, true)) : size === 4 ? view.getUint32(0, true) : out[0];
    };
    const options = ${JSON.stringify(OPTIONS)};
    console.log(JSON.stringify(Object.fromEntries(
      Object.entries(options).map(([name, size]) => [name, read(name, size)]))));
  `;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", script],
    env: { RUST_BACKTRACE: "0", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, stderr);
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

Deno.test("DuckDB's allocator keeps one arena without thread caches and returns unused pages, unless the user set it otherwise", async () => {
  // Not set in the environment: liftline's settings reach the allocator DuckDB loads.
  assert.deepEqual(await allocatorOptions({}), {
    "opt.muzzy_decay_ms": 0,
    "opt.narenas": 1,
    "opt.tcache": 0,
  });
  // The user's own jemalloc settings are kept as they are, and jemalloc's defaults for the rest
  // (an arena per thread on this machine's cores, thread caches on).
  const own = await allocatorOptions({ DUCKDB_JE_MALLOC_CONF: "muzzy_decay_ms:5000" });
  assert.equal(own["opt.muzzy_decay_ms"], 5000);
  assert.ok(own["opt.narenas"] > 1, `narenas ${own["opt.narenas"]}`);
  assert.equal(own["opt.tcache"], 1);
});
