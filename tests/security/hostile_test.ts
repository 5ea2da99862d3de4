/**
 * About 1,800 hostile requests at a running `liftline run` (its web port) and at a
 * `liftline emulator`, each in its own process: no answer is a 5xx (bar a documented one such as
 * `/readyz`'s 503), every connection is answered or closed cleanly, and afterwards the process is
 * up, healthy, and its pipeline still commits rows.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { importPrivateKey, publicKeyFingerprint } from "../../src/snowflake/keys.ts";
import { exchange, keypairJwt, newKeys, type TestKeys } from "../emulator/helpers.ts";
import {
  type LiftlineProcess,
  runLiftline,
  spawnEmulator,
  spawnLiftline,
} from "../helpers/liftline_child.ts";
import {
  badMethods,
  badQueries,
  hostileHeaders,
  type HostileRequest,
  malformedHttp,
  type Outcome,
  sendAll,
  slowClients,
  summarize,
  traversal,
  unexpectedBodies,
} from "./hostile_requests.ts";
import {
  appendAbuse,
  badTokens,
  channelPathAbuse,
  type EmulatorAccess,
  sqlAbuse,
  tokenAbuse,
  tokenExchangeAbuse,
} from "./emulator_requests.ts";

/** The web port's paths, including the dashboard's (which may answer 404 until they exist). */
const WEB_PATHS = [
  "/",
  "/?period=bogus",
  "/?metric=<script>",
  "/resorts/Vail",
  "/resorts/%3Cscript%3E",
  "/resorts/../../etc/passwd",
  "/pipeline",
  "/events/overview",
  "/events/pipeline",
  "/static/anything",
  "/api/status",
  "/metrics",
  "/readyz",
  "/healthz",
];

const CONCURRENCY = 16;
const SLOW_CLIENTS = 40;

/** The slow clients all at once, while the other requests go `CONCURRENCY` at a time. */
async function barrage(
  url: string,
  requests: HostileRequest[],
  slow: HostileRequest[],
): Promise<Outcome[]> {
  const [a, b] = await Promise.all([
    sendAll(url, slow, { concurrency: slow.length }),
    sendAll(url, interleave(requests), { concurrency: CONCURRENCY }),
  ]);
  return [...a, ...b];
}

/**
 * Checks `probe` every 250 ms while `work` runs (the server must keep serving others while slow
 * clients and floods hold connections), and returns the work's result with the failed probes.
 */
async function whileProbing<T>(
  probe: () => Promise<boolean>,
  work: Promise<T>,
): Promise<{ result: T; probes: number; failedProbes: number }> {
  let done = false;
  let probes = 0;
  let failedProbes = 0;
  const loop = (async () => {
    while (!done) {
      probes++;
      if (!(await probe().catch(() => false))) failedProbes++;
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  try {
    return { result: await work, probes, failedProbes };
  } finally {
    done = true;
    await loop;
  }
}

async function status(url: string, init?: RequestInit): Promise<number> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  await res.body?.cancel();
  return res.status;
}

function report(what: string, outcomes: Outcome[]) {
  const s = summarize(outcomes);
  console.log(`${what}: ${outcomes.length} hostile requests`, JSON.stringify(s.byCategory));
  console.log(`${what}: answers`, JSON.stringify(s.byEnd));
  assert.deepEqual(s.failures, [], `${what}: requests not met with a 4xx or a clean close`);
}

function assertRunning(p: LiftlineProcess, what: string) {
  assert.ok(p.running(), `${what} exited:\n${p.stderr()}`);
}

/** Sum of `liftline_rows_committed_total` over the tables. */
async function committedRows(webUrl: string): Promise<number> {
  const text = await (await fetch(`${webUrl}/metrics`)).text();
  let sum = 0;
  for (
    const m of text.matchAll(
      /^liftline_rows_committed_total\{[^}]*\} (\d+(?:\.\d+)?(?:e\+\d+)?)$/gm,
    )
  ) {
    sum += Number(m[1]);
  }
  return sum;
}

Deno.test("hostile requests at the web port of liftline run: no 5xx, and it keeps streaming", async () => {
  const dir = await Deno.makeTempDir({ prefix: "liftline-hostile-web-" });
  // LLAMA leaves the two cores to the requests; 11:00 in the Rockies, so lifts are running.
  const run = spawnLiftline([
    "run",
    "--port",
    "0",
    "--data-dir",
    dir,
    "--speed",
    "LLAMA",
    "--start-time",
    "2026-11-27T18:00:00Z",
    "--emulator-commit-delay-ms",
    "200",
  ], { cwd: dir });
  try {
    const url = (await run.waitFor(/serving url=(http:\/\/\S+)/))[1];
    const requests: HostileRequest[] = [
      ...badMethods(WEB_PATHS),
      ...badQueries(WEB_PATHS),
      ...hostileHeaders(
        WEB_PATHS,
        (await badTokens(await newKeys())).slice(0, 4).map(([, t]) => t),
      ),
      ...await unexpectedBodies(WEB_PATHS),
      ...["/", "/api/status", "/events/overview", "/resorts/Vail"].flatMap(malformedHttp),
      ...traversal(["/", "/resorts/", "/static/", "/events/"]),
    ];
    const slow = slowClients(["/", "/healthz", "/api/status", "/events/pipeline"], SLOW_CLIENTS);
    const { result: outcomes, probes, failedProbes } = await whileProbing(
      async () => (await status(`${url}/healthz`)) === 200,
      barrage(url, requests, slow),
    );
    report("web port", outcomes);
    assert.equal(failedProbes, 0, `/healthz failed ${failedProbes} of ${probes} times meanwhile`);

    assertRunning(run, "liftline run");
    assert.equal(await status(`${url}/healthz`), 200);
    // The pipeline still commits rows after the barrage.
    const before = await committedRows(url);
    const deadline = Date.now() + 30_000;
    while ((await committedRows(url)) <= before && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok((await committedRows(url)) > before, "rows are committed after the barrage");

    const stopped = await run.stop("SIGTERM");
    assert.equal(stopped.code, 0, run.stderr());
  } finally {
    await run.stop("SIGKILL");
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("hostile requests at liftline emulator: no 5xx, and it still takes a stream", async () => {
  const root = await Deno.makeTempDir({ prefix: "liftline-hostile-emu-" });
  const emuDir = join(root, "emulator");
  const { process: emulator, url } = await spawnEmulator(["--data-dir", emuDir], {
    cwd: root,
    env: { EMULATOR_COMMIT_DELAY_MS: "200" },
  });
  try {
    // The emulator starts as an empty account: liftline's tables and pipes are set up through
    // SQL first, as `run` does, so that the append cases meet a real pipe.
    const instance = join(root, "instance");
    await Deno.mkdir(instance);
    const env = {
      DATA_DIR: instance,
      EMULATOR_URL: url,
      PRIVATE_KEY_FILE: join(emuDir, "rsa_key.p8"),
    };
    const setup = await runLiftline(["setup", "--apply", "--quiet"], { cwd: instance, env });
    assert.equal(setup.code, 0, setup.stderr);
    const keys = await keysOf(emuDir);
    const jwt = await keypairJwt(keys);
    const access: EmulatorAccess = { url, keys, jwt, scoped: await exchange(url, jwt) };
    // Past the Accept and token checks, so that the routes themselves meet the request.
    const asClient = { Accept: "application/json", Authorization: `Bearer ${access.scoped}` };
    const streamingPaths = [
      "/v2/streaming/hostname",
      "/oauth/token",
      "/v2/streaming/databases/STREAMING_INGEST/schemas/STREAMING_INGEST/pipes/LIFT_RIDE_PIPE:bulk-channel-status",
      "/v2/streaming/data/databases/STREAMING_INGEST/schemas/STREAMING_INGEST/pipes/LIFT_RIDE_PIPE/channels/x/rows",
      "/session/v1/login-request",
      "/queries/v1/query-request",
      "/session",
      "/healthz",
    ];
    const requests: HostileRequest[] = [
      ...await tokenAbuse(access),
      ...tokenExchangeAbuse(access),
      ...channelPathAbuse(access),
      ...await appendAbuse(access),
      ...await sqlAbuse(access),
      ...badMethods(streamingPaths, asClient),
      ...badQueries(streamingPaths.slice(0, 5), asClient),
      ...hostileHeaders(streamingPaths.slice(0, 3)),
      ...streamingPaths.slice(0, 5).flatMap(malformedHttp),
      ...traversal(["/", "/v2/streaming/", "/v2/streaming/databases/STREAMING_INGEST/"]),
    ];
    const slow = slowClients(streamingPaths.slice(0, 5), SLOW_CLIENTS);
    // The emulator has no /healthz: its liveness is a key-pair JWT answered with the hostname.
    const alive = async () =>
      (await status(`${url}/v2/streaming/hostname`, {
        headers: { Authorization: `Bearer ${jwt}`, Accept: "application/json" },
      })) === 200;
    const { result: outcomes, probes, failedProbes } = await whileProbing(
      alive,
      barrage(url, requests, slow),
    );
    report("emulator", outcomes);
    assert.equal(failedProbes, 0, `the emulator failed ${failedProbes} of ${probes} probes`);
    assertRunning(emulator, "liftline emulator");
    assert.ok(await alive(), "the emulator still answers a valid JWT");

    // The pipeline still commits rows: an instance generates and drains into the emulator.
    const g = await runLiftline([
      "generate",
      "--speed",
      "MAX",
      "--quiet",
      "--start-time",
      "2026-11-27T16:00:00Z",
      "--until",
      "2026-11-27T18:00:00Z",
    ], { cwd: instance, env });
    assert.equal(g.code, 0, g.stderr);
    const s = await runLiftline(["stream", "--drain", "--quiet"], { cwd: instance, env });
    assert.equal(s.code, 0, s.stderr);

    const stopped = await emulator.stop("SIGTERM");
    assert.equal(stopped.code, 0, emulator.stderr());
    // A 5xx is logged as "request failed"; none may have happened, even unseen.
    assert.doesNotMatch(emulator.stderr(), /request failed/, emulator.stderr());
  } finally {
    await emulator.stop("SIGKILL");
    await Deno.remove(root, { recursive: true });
  }
});

/** The emulator's key pair, as the JWT helpers want it. */
async function keysOf(dataDir: string): Promise<TestKeys> {
  const privateKeyPem = await Deno.readTextFile(join(dataDir, "rsa_key.p8"));
  const publicKeyPem = await Deno.readTextFile(join(dataDir, "rsa_key.pub"));
  return {
    privateKeyPem,
    publicKeyPem,
    privateKey: await importPrivateKey(privateKeyPem),
    fingerprint: await publicKeyFingerprint(publicKeyPem),
  };
}

/**
 * Mixes the families (round robin over categories), so that bombs, floods and slow clients land
 * together rather than one family at a time.
 */
function interleave(requests: HostileRequest[]): HostileRequest[] {
  const groups = new Map<string, HostileRequest[]>();
  for (const r of requests) {
    const g = groups.get(r.category) ?? [];
    g.push(r);
    groups.set(r.category, g);
  }
  const out: HostileRequest[] = [];
  const lists = [...groups.values()];
  for (let i = 0; out.length < requests.length; i++) {
    for (const l of lists) if (i < l.length) out.push(l[i]);
  }
  return out;
}
