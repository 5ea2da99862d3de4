/**
 * The memory settings liftline runs with (V8 flags and GLIBC_TUNABLES, see "Memory" in the README)
 * are the same wherever it is started: `deno task start`, `deno task dev`, `deno task compile`
 * and the Docker image. And this Deno accepts the flags: a flag V8 does not know stops the program
 * before it starts.
 */
import assert from "node:assert/strict";
import { denoTasks, taskRuntime } from "../../bench/start_task.ts";

const ROOT = new URL("../../", import.meta.url);

Deno.test("start, dev, compile and the Dockerfile run liftline with the same V8 flags and malloc tunables", async () => {
  const tasks = await denoTasks();
  const start = taskRuntime(tasks.start);
  assert.equal(start.v8Flags.length, 1, "the start task passes its V8 flags in one --v8-flags");
  assert.match(start.env.GLIBC_TUNABLES ?? "", /^glibc\.malloc\./);
  for (const name of ["dev", "compile"]) {
    assert.deepEqual(taskRuntime(tasks[name]).v8Flags, start.v8Flags, `${name} task's V8 flags`);
  }
  assert.equal(taskRuntime(tasks.dev).env.GLIBC_TUNABLES, start.env.GLIBC_TUNABLES);

  const dockerfile = await Deno.readTextFile(new URL("Dockerfile", ROOT));
  const compile = /^RUN deno compile ((?:.*\\\n)*.*)$/m.exec(dockerfile)?.[1].replaceAll(
    "\\\n",
    " ",
  );
  assert.ok(compile, "the Dockerfile compiles the binary");
  assert.deepEqual(taskRuntime(`deno compile ${compile}`).v8Flags, start.v8Flags);
  assert.match(compile, /--allow-ffi\b/, "the binary may load DuckDB's addon");
  const env = /^ENV ((?:.*\\\n)*.*)$/m.exec(dockerfile)?.[1] ?? "";
  assert.match(
    env,
    new RegExp(`GLIBC_TUNABLES=${start.env.GLIBC_TUNABLES.replaceAll(".", "\\.")}(\\s|$)`),
  );
});

Deno.test("this Deno accepts the start task's V8 flags, and they bound the young generation", async () => {
  const start = taskRuntime((await denoTasks()).start);
  const semi = /--max-semi-space-size=(\d+)/.exec(start.v8Flags[0])?.[1];
  assert.ok(semi, "the start task bounds V8's semi-spaces");
  // Allocate well past the default young generation (64 MB here without the flags), and read
  // how large V8 let it grow.
  const script = `
    import v8 from "node:v8";
    const newSpace = () => v8.getHeapSpaceStatistics().find((x) => x.space_name === "new_space");
    let keep = [], most = 0;
    for (let i = 0; i < 2e7; i++) {
      const o = { i, s: "x" + i };
      if (i % 1000 === 0) keep.push(o);
      if (i % 100000 === 0) most = Math.max(most, newSpace().space_size);
    }
    console.log(JSON.stringify({ newSpace: most, kept: keep.length }));`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", ...start.v8Flags, script],
    env: { ...start.env, RUST_BACKTRACE: "0" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const { newSpace } = JSON.parse(new TextDecoder().decode(out.stdout)) as { newSpace: number };
  assert.ok(
    newSpace <= 2 * Number(semi) * 1024 * 1024,
    `new space ${newSpace} bytes, at most two semi-spaces of ${semi} MB`,
  );
});
