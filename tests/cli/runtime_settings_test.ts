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

Deno.test("deno task start in a terminal never stops at a permission prompt", async () => {
  // In a terminal, Deno asks before a read the flags do not grant (DuckDB's loader looks at
  // /proc/self/exe and ldd), and the whole process waits for the answer: no page, no health
  // check. `script` gives the command a terminal, as a user's shell does.
  const dir = `./data/prompt-test-${crypto.randomUUID()}`;
  try {
    const out = await new Deno.Command("script", {
      args: ["-qec", `'${Deno.execPath()}' task start check`, "/dev/null"],
      cwd: ROOT,
      env: { DATA_DIR: dir, RUST_BACKTRACE: "0", NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(90_000),
    }).output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    assert.doesNotMatch(text, /Deno requests|Allow\?/, text.slice(0, 2000));
    assert.match(text, /configuration is valid/, "check ran to its report");
  } finally {
    await Deno.remove(new URL(dir.slice(2), ROOT), { recursive: true }).catch(() => {});
  }
});

Deno.test("deno task start with DATA_DIR outside ./data exits 2 naming DATA_DIR", async () => {
  // The task grants ./data only: Deno's own advice ("run again with --allow-write") cannot be
  // followed through a task.
  const outside = await Deno.makeTempDir({ prefix: "liftline-outside-" });
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["task", "-q", "start", "generate", "--data-dir", outside],
      cwd: ROOT,
      env: { RUST_BACKTRACE: "0", NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr).trim();
    assert.equal(out.code, 2, stderr);
    assert.equal(stderr.split("\n").length, 1, stderr);
    assert.match(stderr, new RegExp(`^liftline: DATA_DIR ${outside} is outside`));
    assert.deepEqual([...Deno.readDirSync(outside)], [], "nothing written there");
  } finally {
    await Deno.remove(outside, { recursive: true });
  }
});

Deno.test("Ctrl-C sent to deno task start's whole process group is one clean stop (exit 0)", async () => {
  // A supervisor (or a shell) signals the group: the task forwards its copy to liftline, which
  // then gets SIGINT twice within milliseconds. That is one request, not "stop now".
  const dir = `./data/group-signal-${crypto.randomUUID()}`;
  // setsid makes the task the leader of a group of its own, which the test can signal whole.
  const child = new Deno.Command("setsid", {
    args: [Deno.execPath(), "task", "-q", "start", "emulator", "--port", "0", "--data-dir", dir],
    cwd: ROOT,
    env: { RUST_BACKTRACE: "0", NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let stderr = "";
  const reading = child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (chunk) => void (stderr += chunk) }),
  );
  const stdout = child.stdout.pipeTo(new WritableStream());
  try {
    const started = Date.now();
    while (!/serving|listening/.test(stderr) && Date.now() - started < 60_000) {
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.match(stderr, /serving|listening/, stderr);
    Deno.kill(-child.pid, "SIGINT");
    const status = await child.status;
    await reading;
    await stdout;
    assert.equal(status.code, 0, stderr);
    assert.doesNotMatch(stderr, /second signal/, stderr);
  } finally {
    try {
      Deno.kill(-child.pid, "SIGKILL");
    } catch { /* already gone */ }
    await Deno.remove(new URL(dir.slice(2), ROOT), { recursive: true }).catch(() => {});
  }
});
