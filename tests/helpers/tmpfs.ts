/**
 * Small filesystems for full-disk tests: a tmpfs of a few MB mounted on a temp folder. Mounting
 * needs root (or CAP_SYS_ADMIN); {@link tmpfsUnavailable} says why it cannot be done here, so that
 * a test is skipped only when it truly cannot run, and says so.
 *
 * @module
 */
import { callingTestModule, recordSkip } from "./skip.ts";

async function run(cmd: string, args: string[]): Promise<{ ok: boolean; text: string }> {
  try {
    const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
    const dec = new TextDecoder();
    return { ok: out.success, text: (dec.decode(out.stderr) + dec.decode(out.stdout)).trim() };
  } catch (e) {
    return { ok: false, text: `${cmd}: ${(e as Error).message}` };
  }
}

/** A mounted tmpfs; {@link Tmpfs.dispose} unmounts it and removes the folder. */
export interface Tmpfs {
  readonly dir: string;
  /** Changes the size limit in place (files stay): frees space for a full filesystem. */
  resize(sizeMb: number): Promise<void>;
  /** Unmounts (lazily if something still holds a file) and removes the mount point. */
  dispose(): Promise<void>;
}

/** Mounts a tmpfs of `sizeMb` MB on a new temp folder. */
export async function mountTmpfs(sizeMb: number): Promise<Tmpfs> {
  const dir = await Deno.makeTempDir({ prefix: "liftline-tmpfs-" });
  const mounted = await run("mount", ["-t", "tmpfs", "-o", `size=${sizeMb}m`, "tmpfs", dir]);
  if (!mounted.ok) {
    await Deno.remove(dir);
    throw new Error(`cannot mount a ${sizeMb} MB tmpfs: ${mounted.text}`);
  }
  return {
    dir,
    async resize(mb) {
      const r = await run("mount", ["-o", `remount,size=${mb}m`, dir]);
      if (!r.ok) throw new Error(`cannot resize the tmpfs at ${dir}: ${r.text}`);
    },
    async dispose() {
      if (!(await run("umount", [dir])).ok) await run("umount", ["-l", dir]);
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/**
 * Why a small tmpfs cannot be mounted on this machine (not root, no `mount`, a container without
 * CAP_SYS_ADMIN…), or undefined when it can: the probe mounts and unmounts a 1 MB one. A reason
 * is also recorded for the calling test module (`skip.ts`), so that `.ci/run` names the tests it
 * skips, and why.
 */
export async function tmpfsUnavailable(): Promise<string | undefined> {
  const caller = callingTestModule();
  const why = await probe();
  if (why !== undefined && caller) recordSkip(caller, `no small filesystem to fill: ${why}`);
  return why;
}

async function probe(): Promise<string | undefined> {
  if (Deno.build.os !== "linux") return `tmpfs needs Linux (this is ${Deno.build.os})`;
  if (Deno.uid() !== 0) {
    return `not running as root (uid ${Deno.uid()}), so no tmpfs can be mounted`;
  }
  try {
    const fs = await mountTmpfs(1);
    await fs.dispose();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}
