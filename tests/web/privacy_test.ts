/**
 * No personal data in any response of a running `liftline run`: every page (each period and
 * metric, each resort, the pipeline, error pages), every live event stream, `/api/status` and
 * `/metrics` are read from a real child process once rides are reported, and none of them may
 * contain a ticket or pass holder's name, email, phone, street address or emergency contact, as
 * the warehouse holds them (RESORT_TICKET, SEASON_PASS; DAILY_VISITS carries the same NAME).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { startEmulator } from "../../src/emulator/mod.ts";
import facts from "../../src/generator/resorts.json" with { type: "json" };
import { SnowflakeSql } from "../../src/snowflake/sdk.ts";
import { spawnLiftline } from "../helpers/liftline_child.ts";
import { decodeEntities } from "./html.ts";
import { isView, sleep, SseClient } from "./sse.ts";

const TABLES = ["RESORT_TICKET", "SEASON_PASS", "LIFT_RIDE"] as const;
/** Where snowflake-sdk keeps its OCSP cache (src/snowflake/sdk.ts sets it when unset). */
const OCSP_CACHE = "SF_OCSP_RESPONSE_CACHE_DIR";
/** Twelve world hours from 07:00 in Colorado: a whole lift day at every resort. */
const SPAN = ["--start-time", "2026-11-27T14:00:00Z", "--until", "2026-11-28T02:00:00Z"];

/** Words as the check compares them: runs of letters and digits, case kept. */
function words(text: string): string[] {
  return text.match(/[\p{L}\p{N}]+/gu) ?? [];
}

/**
 * What must never be shown: each value as its words (so a value still counts when the page
 * puts markup, escaping or other punctuation between them), with the column it came from.
 */
interface Forbidden {
  text: string;
  key: string;
  what: string;
}

/** A phone number's digits without its extension: `(852) 727-2965 x3765` → `8527272965`. */
function phoneDigits(phone: string | null): string {
  return (phone ?? "").replace(/\s*x\d+$/, "").replace(/\D/g, "");
}

/** Strings anyone may show: resort and lift names, time zones (resorts.json). */
const PUBLIC_WORDS = new Set(words(JSON.stringify(facts)));

/** A VARIANT as the SQL client returns it (parsed), or as JSON text. */
function variant(value: unknown): Record<string, string | null> | null {
  if (value === null || value === undefined) return null;
  return (typeof value === "string" ? JSON.parse(value) : value) as Record<string, string | null>;
}

/**
 * What the warehouse of `dataDir` holds about people, read through SQL by an emulator on the data
 * folder once the program has exited.
 */
async function forbiddenValues(dataDir: string): Promise<Forbidden[]> {
  const emu = await startEmulator({ dataDir, dynamic: { autoRefresh: false } });
  const sql = emu.localClient();
  const out = new Map<string, Forbidden>();
  const add = (value: unknown, what: string, minWords = 1) => {
    if (typeof value !== "string" || value.trim() === "") return;
    const w = words(value);
    if (w.length < minWords) return;
    const key = w.join(" ");
    if (!out.has(key)) out.set(key, { text: value, key, what });
  };
  try {
    for (const table of ["RESORT_TICKET", "SEASON_PASS"]) {
      const rows = (await sql.query(
        `SELECT NAME, EMAIL, PHONE, ADDRESS, EMERGENCY_CONTACT FROM ${table}`,
      )).rows as Record<string, string | null>[];
      for (const r of rows) {
        add(r.NAME, `${table}.NAME`, 2);
        // A name's parts too (a page could show "Grant" or "Grant, C."), unless the word is a
        // public one or too short to tell from ordinary text.
        for (const part of words(r.NAME ?? "")) {
          if (part.length >= 5 && !PUBLIC_WORDS.has(part)) add(part, `${table}.NAME (part)`);
        }
        add(r.EMAIL, `${table}.EMAIL`);
        add(r.PHONE, `${table}.PHONE`, 3);
        // The digits alone, as a page that reformats a number would show them.
        const digits = phoneDigits(r.PHONE);
        if (digits.length >= 10) add(digits, `${table}.PHONE (digits)`);
        const address = variant(r.ADDRESS);
        // The street is what locates a person; city, state and postal code alone are public
        // geography and numbers that counters collide with.
        add(address?.STREET_ADDRESS, `${table}.ADDRESS.STREET_ADDRESS`, 2);
        const contact = variant(r.EMERGENCY_CONTACT);
        add(contact?.NAME, `${table}.EMERGENCY_CONTACT.NAME`, 2);
        add(contact?.PHONE, `${table}.EMERGENCY_CONTACT.PHONE`, 3);
      }
    }
    // The report chain's one personal column holds the same names.
    const visits = (await sql.query("SELECT DISTINCT NAME FROM DAILY_VISITS")).rows;
    for (const v of visits) add(v.NAME, "DAILY_VISITS.NAME", 2);
  } finally {
    await sql.close();
    await emu.close();
  }
  return [...out.values()];
}

/** Every forbidden value that occurs in `text`, with where. */
function leaks(text: string, forbidden: readonly Forbidden[]): string[] {
  const w = words(text);
  const longest = Math.max(...forbidden.map((f) => f.key.split(" ").length));
  const grams = new Set<string>();
  for (let i = 0; i < w.length; i++) {
    let g = w[i];
    grams.add(g);
    for (let n = 1; n < longest && i + n < w.length; n++) grams.add(g += ` ${w[i + n]}`);
  }
  const found: string[] = [];
  for (const f of forbidden) {
    if (!grams.has(f.key)) continue;
    const at = text.indexOf(f.key.split(" ")[0]);
    found.push(
      `${f.what} ${JSON.stringify(f.text)} near …${text.slice(Math.max(0, at - 80), at + 80)}…`,
    );
  }
  return found;
}

/** Asks `check` every 250 ms until it says yes; throws with `what()` after `ms`. */
async function poll(
  check: () => Promise<boolean>,
  what: () => string,
  ms: number,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what()}`);
    await sleep(250);
  }
}

/** A collected answer. */
interface Answer {
  what: string;
  status: number;
  text: string;
}

async function get(base: string, path: string, accept = "text/html"): Promise<Answer> {
  const res = await fetch(`${base}${path}`, { headers: { Accept: accept } });
  const body = await res.text();
  // Markup escapes what it shows: compare what a reader would see as well.
  return { what: `GET ${path}`, status: res.status, text: `${body}\n${decodeEntities(body)}` };
}

interface Status {
  target: string;
  generator: { finished: boolean; rows: Record<string, number> } | null;
  /** Per table, its channels summed up. */
  tables: Record<string, { rowsCommitted: number }>;
  reports: { dynamicTables: { name: string; dataTimestamp: string | null }[] } | null;
}

Deno.test("no personal data in any page, event stream, /api/status or /metrics of a running run", async () => {
  const dir = await Deno.makeTempDir({ prefix: "liftline-privacy-" });
  const answers: Answer[] = [];
  let ocspCacheSet = false;
  try {
    const child = spawnLiftline([
      "run",
      "--speed",
      "MAX",
      "--seed",
      "privacy",
      ...SPAN,
      "--data-dir",
      dir,
      "--port",
      "0",
      "--tickets-per-day",
      "3000",
      "--emulator-commit-delay-ms",
      "100",
    ], { cwd: dir });
    // snowflake-sdk takes seconds to load: load it while the child starts (its OCSP cache goes
    // to this test's folder, as src/snowflake/sdk.ts would put it).
    const sdkDir = join(dir, "sdk");
    if (!Deno.env.get(OCSP_CACHE)) {
      Deno.env.set(OCSP_CACHE, join(sdkDir, ".snowflake-sdk"));
      ocspCacheSet = true;
    }
    const sdkLoaded = import("snowflake-sdk").catch(() => {});
    try {
      const base = (await child.waitFor(/serving url=(http:\/\/\S+)/, 30_000))[1];
      const status = async () => (await (await fetch(`${base}/api/status`)).json()) as Status;

      // Every generated row committed.
      let s: Status | undefined;
      await poll(
        async () => {
          s = await status();
          const g = s.generator;
          return !!g?.finished &&
            TABLES.every((t) => (s!.tables[t]?.rowsCommitted ?? -1) === g.rows[t]);
        },
        () => `every row committed: ${JSON.stringify(s)}`,
        40_000,
      );
      s = s!;
      assert.ok(s.generator!.rows.LIFT_RIDE > 5000, "a day of rides");

      // The scheduler refreshes the chain once a minute; a user's manual refresh (ALTER
      // DYNAMIC TABLE … REFRESH, through snowflake-sdk) brings every committed ride in now.
      const emulatorUrl = s.target.match(/https?:\/\/\S+/)![0];
      await sdkLoaded;
      const sql = await SnowflakeSql.connect({
        account: "LIFTLINE",
        username: "STREAMING_INGEST",
        privateKeyPem: await Deno.readTextFile(join(dir, "rsa_key.p8")),
        accessUrl: emulatorUrl,
        database: "STREAMING_INGEST",
        schema: "STREAMING_INGEST",
        dataDir: sdkDir,
      });
      // Taken before the refresh: its data timestamp is no earlier (the one of the refresh at
      // creation, over no rows, is).
      const refreshedAt = Date.now();
      try {
        await sql.query("ALTER DYNAMIC TABLE WEEKLY_RESORT_SUMMARY REFRESH");
      } finally {
        await sql.close();
      }
      // The report feed sees the refresh, and the overview shows numbers.
      await poll(
        async () => (await get(base, "/")).text.includes('aria-label="Network totals"'),
        () => "the overview shows numbers",
        20_000,
      );
      // The status reads the chain once a second: it shows the refresh a moment after the pages.
      // The table refreshed by hand, whose refresh history always has the refresh: a table
      // upstream of it that had nothing new (a scheduled refresh had just brought every ride
      // in) keeps its earlier row, as it has no refresh of its own to record.
      await poll(
        async () => {
          s = await status();
          const at = s.reports?.dynamicTables.find((t) => t.name === "WEEKLY_RESORT_SUMMARY")
            ?.dataTimestamp;
          return Boolean(at) && Date.parse(at!) >= refreshedAt;
        },
        () =>
          `WEEKLY_RESORT_SUMMARY has the refresh's data timestamp: ${
            JSON.stringify(s?.reports ?? null).slice(0, 600)
          }`,
        10_000,
      );

      // Every page and error page.
      const resorts = facts.resorts.map((r) => r.name);
      const paths = [
        "/",
        ...["today", "last7", "mtd"].flatMap((p) =>
          ["visitors", "revenue", "capacity", "rides"].map((m) => `/?period=${p}&metric=${m}`)
        ),
        ...resorts.map((r) => `/resorts/${encodeURIComponent(r)}`),
        "/resorts/beaver-creek",
        "/pipeline",
        "/resorts/Aspen",
        "/no/such/page",
        "/?period=yesterday",
      ];
      for (const path of paths) answers.push(await get(base, path));
      for (const path of ["/api/status", "/metrics", "/readyz", "/healthz", "/no/such/api"]) {
        answers.push(await get(base, path, "*/*"));
      }
      const byPath = new Map(answers.map((a) => [a.what, a]));
      for (const path of paths.slice(0, 1 + 12 + resorts.length + 2)) {
        assert.equal(byPath.get(`GET ${path}`)?.status, 200, path);
      }
      for (const r of resorts) {
        assert.match(
          byPath.get(`GET /resorts/${encodeURIComponent(r)}`)!.text,
          /Visitors this hour/,
        );
      }

      // Every live stream, from a client that is behind (so it gets the views at once), for a
      // few seconds of status samples.
      const streams = [
        ...["today", "last7", "mtd"].flatMap((p) =>
          ["visitors", "revenue", "capacity", "rides"].map((m) =>
            `/events/overview?period=${p}&metric=${m}&since=0`
          )
        ),
        ...resorts.map((r) => `/events/resorts/${encodeURIComponent(r)}?since=0`),
        "/events/pipeline",
      ];
      const clients = await Promise.all(streams.map((p) => SseClient.open(`${base}${p}`)));
      try {
        await Promise.all(clients.map((c) => c.waitFor(isView, 1, 15_000)));
        // A few status samples more (the pipeline's view comes with each, once a second): the
        // clock and pipeline updates every page receives while it stays open.
        const pipeline = clients[streams.indexOf("/events/pipeline")];
        await pipeline.waitFor(isView, 4, 15_000);
      } finally {
        await Promise.all(clients.map((c) => c.close()));
      }
      clients.forEach((c, i) => {
        const data = c.messages.map((m) => m.data).join("\n");
        answers.push({
          what: `SSE ${streams[i]}`,
          status: c.response.status,
          text: `${data}\n${decodeEntities(data)}`,
        });
      });
      const views = answers.filter((a) => a.what.startsWith("SSE /events/resorts/"));
      assert.ok(views.every((a) => a.text.includes("Visitors this hour")), "resort views arrived");
    } finally {
      await child.stop("SIGTERM");
    }

    // What the warehouse holds about people, and the check itself.
    const forbidden = await forbiddenValues(dir);
    const count = (what: string) => forbidden.filter((f) => f.what === what).length;
    assert.ok(count("RESORT_TICKET.NAME") > 800, `names: ${count("RESORT_TICKET.NAME")}`);
    assert.ok(count("SEASON_PASS.NAME") > 20, `pass names: ${count("SEASON_PASS.NAME")}`);
    for (
      const what of ["EMAIL", "PHONE", "ADDRESS.STREET_ADDRESS", "EMERGENCY_CONTACT.NAME"]
    ) {
      assert.ok(count(`RESORT_TICKET.${what}`) > 400, `${what}: ${count(`RESORT_TICKET.${what}`)}`);
    }
    // The check finds a value wherever and however a page would print it.
    const sample = forbidden.find((f) => f.what === "RESORT_TICKET.NAME")!;
    const email = forbidden.find((f) => f.what === "RESORT_TICKET.EMAIL")!;
    const phone = forbidden.find((f) => f.what === "RESORT_TICKET.PHONE")!;
    const html = `<td>${sample.text.replaceAll("'", "&#39;")}</td>`;
    assert.ok(leaks(`${html}\n${decodeEntities(html)}`, forbidden).length > 0);
    assert.ok(leaks(`{"x":"${email.text}"}`, forbidden).length > 0);
    assert.ok(leaks(`call ${phoneDigits(phone.text)} now`, forbidden).length > 0);
    assert.ok(leaks(`call ${phone.text} now`, forbidden).length > 0);

    assert.ok(answers.length >= 30, `${answers.length} answers`);
    const found = answers.flatMap((a) => leaks(a.text, forbidden).map((l) => `${a.what}: ${l}`));
    assert.deepEqual(found, [], `personal data in responses:\n${found.slice(0, 20).join("\n")}`);
  } finally {
    // The folder goes: other tests in this process must not inherit it as the SDK's cache.
    if (ocspCacheSet) Deno.env.delete(OCSP_CACHE);
    await Deno.remove(dir, { recursive: true });
  }
});
