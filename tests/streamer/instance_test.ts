import assert from "node:assert/strict";
import { buildConfig } from "../../src/config/load.ts";
import { channelName, channelNames, instanceId } from "../../src/streamer/mod.ts";

Deno.test("the instance id is created once per data folder and kept across restarts", async () => {
  const a = await Deno.makeTempDir();
  const b = await Deno.makeTempDir();
  try {
    const first = await instanceId(a);
    assert.match(first, /^[A-Z0-9]{12}$/);
    assert.equal(await instanceId(a), first, "stable for one folder");
    assert.notEqual(await instanceId(b), first, "distinct between folders");
  } finally {
    await Deno.remove(a, { recursive: true });
    await Deno.remove(b, { recursive: true });
  }
});

Deno.test("two processes starting at once on a new folder agree on one id", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const ids = await Promise.all(Array.from({ length: 8 }, () => instanceId(`${dir}/data`)));
    assert.equal(new Set(ids).size, 1);
    const leftovers = [...Deno.readDirSync(`${dir}/data`)].map((e) => e.name);
    assert.deepEqual(leftovers, ["instance.json"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a damaged instance.json is a clear error, never silently replaced", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/instance.json`, "{oops");
    await assert.rejects(instanceId(dir), /instance\.json is not valid JSON/);
    assert.equal(await Deno.readTextFile(`${dir}/instance.json`), "{oops");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("channel names: CLIENT_NAME prefix, table, instance id, shard; CHANNEL_NAME overrides the prefix", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const id = await instanceId(dir);
    const plain = await channelNames(buildConfig({ DATA_DIR: dir }), 3);
    // Shard 0 keeps the name of the one channel per table of earlier versions.
    assert.deepEqual(plain.LIFT_RIDE, [
      `LIFTLINE_LIFT_RIDE_${id}`,
      `LIFTLINE_LIFT_RIDE_${id}_1`,
      `LIFTLINE_LIFT_RIDE_${id}_2`,
    ]);
    assert.equal(plain.RESORT_TICKET[0], channelName("LIFTLINE", "RESORT_TICKET", id));
    assert.equal(plain.RESORT_TICKET[2], channelName("LIFTLINE", "RESORT_TICKET", id, 2));
    const all = Object.values(plain).flat();
    assert.equal(new Set(all).size, 9, "every channel of every table is distinct");
    const custom = await channelNames(buildConfig({ DATA_DIR: dir, CHANNEL_NAME: "lab-box" }));
    assert.deepEqual(custom.SEASON_PASS, [`lab-box_SEASON_PASS_${id}`]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
