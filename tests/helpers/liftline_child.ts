/**
 * liftline as a user runs it, in a child process (`deno run main.ts …`), started the way
 * {@link DENO_RUN} and {@link childEnv} describe.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { childEnv, DENO_RUN } from "./child_env.ts";

/** The program's entry point. */
export const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));

/** Where and with which settings a child runs. */
export interface LiftlineChildOptions {
  /** Working folder (its `.env` is read). Default: the test runner's. */
  cwd?: string;
  /** liftline settings and other variables, on top of {@link childEnv}. */
  env?: Record<string, string>;
  /** The program to run, e.g. a `deno bundle` output, and its extra `deno run` flags. */
  entry?: { path: string; denoFlags?: readonly string[] };
}

/** A `deno run main.ts <args>` command with piped stdout and stderr. */
export function liftlineCommand(args: string[], options: LiftlineChildOptions = {}): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: [
      ...DENO_RUN,
      ...(options.entry?.denoFlags ?? []),
      options.entry?.path ?? MAIN,
      ...args,
    ],
    cwd: options.cwd,
    env: childEnv(options.env),
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
}

/** The outcome of a finished child. */
export interface LiftlineResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs liftline to the end. */
export async function runLiftline(
  args: string[],
  options: LiftlineChildOptions = {},
): Promise<LiftlineResult> {
  const out = await liftlineCommand(args, options).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** A running liftline child whose output is collected as it comes (pipes never fill up). */
export interface LiftlineProcess {
  readonly child: Deno.ChildProcess;
  /** Everything printed so far. */
  stdout(): string;
  stderr(): string;
  /** Whether the process has not exited yet. */
  running(): boolean;
  /** Resolves with the first match of `pattern` in stdout or stderr; throws after `ms` or when
   * the child exits first. */
  waitFor(pattern: RegExp, ms?: number): Promise<RegExpMatchArray>;
  /** Sends `signal` (if still running), waits for the exit (SIGKILL after `ms`), returns it. */
  stop(signal?: Deno.Signal, ms?: number): Promise<Deno.CommandStatus>;
}

async function collect(stream: ReadableStream<Uint8Array>, into: (text: string) => void) {
  try {
    for await (const text of stream.pipeThrough(new TextDecoderStream())) into(text);
  } catch {
    // The child was killed mid-write; what arrived is kept.
  }
}

/** Starts liftline and collects its output. */
export function spawnLiftline(args: string[], options: LiftlineChildOptions = {}): LiftlineProcess {
  const child = liftlineCommand(args, options).spawn();
  let out = "";
  let err = "";
  const collected = Promise.all([
    collect(child.stdout, (t) => void (out += t)),
    collect(child.stderr, (t) => void (err += t)),
  ]);
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    running: () => !exited,
    async waitFor(pattern, ms = 30_000) {
      const deadline = Date.now() + ms;
      while (true) {
        const m = out.match(pattern) ?? err.match(pattern);
        if (m) return m;
        if (exited) {
          throw new Error(`liftline ${args[0]} exited before printing ${pattern}:\n${out}${err}`);
        }
        if (Date.now() > deadline) {
          throw new Error(
            `liftline ${args[0]} printed no ${pattern} within ${ms} ms:\n${out}${err}`,
          );
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async stop(signal = "SIGTERM", ms = 60_000) {
      if (!exited) {
        try {
          child.kill(signal);
        } catch {
          // it exited meanwhile
        }
      }
      const timer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch {
          // already gone
        }
      }, ms);
      try {
        const s = await status;
        await collected;
        return s;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Starts `liftline emulator` on an ephemeral port and returns it with its URL. */
export async function spawnEmulator(
  args: string[],
  options: LiftlineChildOptions = {},
): Promise<{ process: LiftlineProcess; url: string }> {
  const process = spawnLiftline(["emulator", "--port", "0", ...args], options);
  try {
    const m = await process.waitFor(/EMULATOR_URL=(http:\/\/[^\s)]+)/);
    return { process, url: m[1] };
  } catch (e) {
    await process.stop("SIGKILL");
    throw e;
  }
}
