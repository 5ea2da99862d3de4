/**
 * This data folder's instance id (random, created once, kept in `instance.json`) and the channel
 * names derived from it: stable across restarts of one data folder, distinct between two, one per
 * shard of each table's outbox.
 *
 * @module
 */
import { join } from "node:path";

/** File in the data folder holding the instance id. */
export const INSTANCE_FILE = "instance.json";

async function readId(path: string): Promise<string | undefined> {
  try {
    const parsed = JSON.parse(await Deno.readTextFile(path)) as { id?: unknown };
    if (typeof parsed.id === "string" && /^[A-Za-z0-9]{4,32}$/.test(parsed.id)) return parsed.id;
    throw new Error(`${path} holds no valid instance id; delete it to create a new one`);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    if (e instanceof SyntaxError) {
      throw new Error(`${path} is not valid JSON; delete it to create a new one`);
    }
    throw e;
  }
}

/**
 * The instance id of `dataDir`, creating it on first use. Safe against a concurrent first start
 * of two processes on one folder: the file is published with an atomic link, so both end up with
 * the same id.
 */
export async function instanceId(dataDir: string): Promise<string> {
  const path = join(dataDir, INSTANCE_FILE);
  const existing = await readId(path);
  if (existing) return existing;
  await Deno.mkdir(dataDir, { recursive: true });
  const id = crypto.randomUUID().replaceAll("-", "").slice(0, 12).toUpperCase();
  const tmp = `${path}.${id}.tmp`;
  await Deno.writeTextFile(
    tmp,
    JSON.stringify({ id, createdAt: new Date().toISOString() }) + "\n",
  );
  try {
    await Deno.link(tmp, path);
  } catch (e) {
    if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
  } finally {
    await Deno.remove(tmp).catch(() => {});
  }
  const stored = await readId(path);
  if (!stored) throw new Error(`could not create ${path}`);
  return stored;
}

/**
 * The channel of shard `shard` of `table`: `<prefix>_<TABLE>_<instance id>` for shard 0 (the
 * name of the one channel per table before tables had several, so that a data folder from then
 * resumes on its channel), `<prefix>_<TABLE>_<instance id>_<shard>` for the others. The prefix is
 * `CHANNEL_NAME` when set, else `CLIENT_NAME`.
 */
export function channelName(prefix: string, table: string, id: string, shard = 0): string {
  return shard === 0 ? `${prefix}_${table}_${id}` : `${prefix}_${table}_${id}_${shard}`;
}
