/**
 * `GET /pipeline`: the ingest pipeline on one page. Per table: queue depth and oldest row, rows
 * per second generated, appended and committed, ingest lag percentiles over the last minute, error
 * rows with the target's last message, retries by cause, reopens and its channels' states, with
 * fifteen minutes of sparklines; and each of its channels: state, queue, committed offset, ingest
 * lag and problems. Per dynamic table: freshness against its target lag and the last refresh. The
 * generator's clock, and how old the newest ride in the reports is.
 *
 * Everything comes from the status store, so the page costs no query at all.
 *
 * @module
 */
import type { FC } from "hono/jsx";
import type {
  ChannelStatus,
  DynamicTableStatus,
  StatusStore,
  TableSummary,
} from "../../status/store.ts";
import type { Sample } from "../../status/ring.ts";
import { renderSparkline } from "../charts.ts";
import { Badge, DataTable, Panel, Waiting } from "../components.tsx";
import { fmtInt, fmtRate, fmtSeconds, fmtUtc, NONE } from "../format.ts";
import { Live } from "../layout.tsx";
import { raw } from "hono/html";

/** The pipeline page's live stream URL. */
export const PIPELINE_EVENTS_URL = "/events/pipeline";

const SPARK_WINDOW_MS = 15 * 60_000;

const channelKind = (state: string) =>
  state === "open" || state === "drained"
    ? "ok"
    : state === "failed"
    ? "failed"
    : state === "stopped"
    ? "stale"
    : "waiting";

/** The channels' states in a few words, worst first: `3 open, 1 reopening`. */
function statesText(summary: TableSummary): string {
  const order = ["failed", "reopening", "opening", "stopped", "open", "drained"];
  return Object.entries(summary.states)
    .sort(([a], [b]) => order.indexOf(a) - order.indexOf(b))
    .map(([state, n]) => `${n} ${state}`)
    .join(", ");
}

/** The badge kind of a table: its worst channel's. */
function worstKind(summary: TableSummary): string {
  const kinds: string[] = Object.keys(summary.states).map(channelKind);
  for (const k of ["failed", "waiting", "stale"]) if (kinds.includes(k)) return k;
  return "ok";
}

/** The pipeline page's live region. */
export const PipelineLive: FC<{ status: StatusStore; tables: readonly string[]; now: number }> = (
  { status, tables, now },
) => {
  const notReady = status.notReadyReasons();
  return (
    <Live>
      {notReady.length > 0 && <p class="waiting" role="status">Not ready: {notReady.join("; ")}</p>}
      <div class="grid">
        <Panel title="Generator">
          <Generator status={status} />
        </Panel>
        <Panel title="End-to-end freshness">
          <EndToEnd status={status} now={now} />
        </Panel>
      </div>
      <div class="grid">
        {tables.map((t) => (
          <Panel title={t}>
            <TableFlow status={status} table={t} now={now} />
          </Panel>
        ))}
      </div>
      <Panel title="Dynamic tables" wide>
        <DynamicTables status={status} />
      </Panel>
      <p class="note">Target: {status.target || "not connected yet"}</p>
    </Live>
  );
};

const Generator: FC<{ status: StatusStore }> = ({ status }) => {
  const g = status.generator;
  if (!g) return <Waiting>The generator does not run in this process.</Waiting>;
  const state = g.finished
    ? <Badge kind="ok" text="finished (UNTIL reached)" />
    : g.paused
    ? <Badge kind="late" text={`paused: ${g.pausedReason ?? "held"}`} />
    : <Badge kind="ok" text="running" />;
  return (
    <dl class="facts">
      <dt>World clock</dt>
      <dd>{fmtUtc(g.worldTime)}</dd>
      <dt>Speed</dt>
      <dd>{g.speed}</dd>
      <dt>State</dt>
      <dd>{state}</dd>
      <dt>Rows/s</dt>
      <dd>{fmtRate(g.rowsPerSecond)}</dd>
    </dl>
  );
};

const EndToEnd: FC<{ status: StatusStore; now: number }> = ({ status, now }) => {
  const summary = status.reports?.dynamicTables.find((t) => t.name === "HOURLY_RESORT_SUMMARY");
  if (!summary?.dataTimestamp) {
    return <Waiting>Waiting for the first refresh of the reports.</Waiting>;
  }
  const age = status.endToEndAge(Date.parse(summary.dataTimestamp), now);
  const catching = status.catchingUpMessage();
  return (
    <>
      <p>
        {age === null
          ? status.channelsOf("LIFT_RIDE").length
            ? "No ride this process committed has reached the reports yet."
            : "The streamer runs in another process, so this process cannot tell when the newest reported ride was generated."
          : (
            <>
              The newest ride in the reports was generated <b>{fmtSeconds(age)}</b> ago.
            </>
          )}
      </p>
      <p class="note">
        Reports reflect every ride committed before {fmtUtc(summary.dataTimestamp)}{" "}
        (wall-clock time, not world time).
      </p>
      {catching && <p class="waiting" role="status">{catching}</p>}
    </>
  );
};

const TableFlow: FC<{ status: StatusStore; table: string; now: number }> = (
  { status, table, now },
) => {
  const sum = status.tableSummary(table);
  const streamed = sum.channels.length > 0;
  const flow = status.flow(table);
  const history = status.history(table, now - SPARK_WINDOW_MS);
  // A run younger than the window fills the width instead of a sliver at its right edge.
  const first = Math.min(
    history.lagP95[0]?.at ?? now,
    history.committedPerSecond[0]?.at ?? now,
  );
  const window = { from: Math.max(now - SPARK_WINDOW_MS, first), to: now };
  // The accessible name says the span the picture shows, as its caption does (sparkCaption).
  const span = `last ${Math.max(1, Math.round((window.to - window.from) / 60_000))} min`;
  const lagSpark = renderSparkline({
    title: `Ingest lag p95 of ${table}, ${span}`,
    unit: "seconds",
    points: history.lagP95,
    window,
  });
  const rateSpark = renderSparkline({
    title: `Committed rows per second of ${table}, ${span}`,
    unit: "perSecond",
    points: history.committedPerSecond,
    window,
  });
  const retries = Object.entries(sum.retriesByReason).filter(([, n]) => n > 0);
  const errors = sum.channels.filter((c) => c.lastErrorMessage);
  const problems = sum.channels.filter((c) => c.lastProblem);
  return (
    <>
      <dl class="facts">
        <dt>Channels</dt>
        <dd>
          {streamed ? <Badge kind={worstKind(sum)} text={statesText(sum)} /> : "not streamed here"}
        </dd>
        <dt>Queue</dt>
        <dd>
          {sum.queueRows === null ? NONE : `${fmtInt(sum.queueRows)} rows`}
          {sum.oldestQueuedAt
            ? `, oldest ${fmtSeconds(Math.max(0, (now - Date.parse(sum.oldestQueuedAt)) / 1000))}`
            : ""}
        </dd>
        <dt>Generated</dt>
        <dd>{fmtRate(flow.generatedPerSecond)}</dd>
        <dt>Appended</dt>
        <dd>{fmtRate(flow.appendedPerSecond)}</dd>
        <dt>Committed</dt>
        <dd>{fmtRate(flow.committedPerSecond)}</dd>
        <dt>Ingest lag (1 min)</dt>
        <dd>
          {flow.lag.count === 0
            ? "no commits in the last minute"
            : `p50 ${fmtSeconds(flow.lag.p50)} · p95 ${fmtSeconds(flow.lag.p95)} · p99 ${
              fmtSeconds(flow.lag.p99)
            }`}
        </dd>
        <dt>Error rows</dt>
        <dd>{fmtInt(sum.rowsErrorCount)}</dd>
        {errors.map((c) => (
          <>
            <dt>Last error, channel {c.shard}</dt>
            <dd>{c.lastErrorMessage}</dd>
          </>
        ))}
        <dt>Retries</dt>
        <dd>
          {retries.length === 0 ? "none" : retries.map(([r, n]) => `${r}: ${fmtInt(n)}`).join(", ")}
        </dd>
        <dt>Reopens</dt>
        <dd>{fmtInt(sum.reopens)}</dd>
        {problems.map((c) => (
          <>
            <dt>Last problem, channel {c.shard}</dt>
            <dd>{c.lastProblem}</dd>
          </>
        ))}
      </dl>
      {streamed && <Channels status={status} table={table} channels={sum.channels} now={now} />}
      <div class="spark">
        <figure>
          {lagSpark ? raw(lagSpark) : <Waiting>No lag measured yet.</Waiting>}
          <figcaption>
            {sparkCaption("Ingest lag p95", history.lagP95, window, fmtSeconds)}
          </figcaption>
        </figure>
        <figure>
          {rateSpark ? raw(rateSpark) : <Waiting>No commits yet.</Waiting>}
          <figcaption>
            {sparkCaption("Committed rows/s", history.committedPerSecond, window, fmtRate)}
          </figcaption>
        </figure>
      </div>
    </>
  );
};

/**
 * The caption naming a table's channels. Channel k of a table is named like channel 0 with `_k`
 * after it, so on a phone the caption names channel 0 and the range of suffixes rather than every
 * name in full; any other set of names is listed whole.
 */
export function channelsCaption(table: string, channels: readonly ChannelStatus[]): string {
  const first = channels.find((c) => c.shard === 0)?.channel;
  const rest = channels.filter((c) => c.shard !== 0);
  const regular = first !== undefined && rest.every((c) => c.channel === `${first}_${c.shard}`);
  if (!regular || rest.length === 0) {
    return `Channels of ${table}: ${channels.map((c) => c.channel).join(", ")}`;
  }
  const shards = rest.map((c) => c.shard).sort((a, b) => a - b);
  const contiguous = shards.every((n, i) => n === shards[0] + i);
  const suffixes = contiguous && shards.length > 1
    ? `_${shards[0]} to _${shards.at(-1)}`
    : shards.map((n) => `_${n}`).join(", ");
  return `Channels of ${table}: ${first}, then the same name with ${suffixes}`;
}

/**
 * A table's channels, one row each: its number (see {@link channelsCaption} for its name),
 * state, queue, committed offset and ingest lag over the last minute. A channel beyond
 * STREAM_CHANNELS (rows of a layout with more channels) is marked "retired".
 */
const Channels: FC<
  { status: StatusStore; table: string; channels: readonly ChannelStatus[]; now: number }
> = ({ status, table, channels, now }) => (
  <DataTable
    caption={channelsCaption(table, channels)}
    columns={[
      { label: "Channel" },
      { label: "State" },
      { label: "Queue", num: true },
      { label: "Oldest", num: true, optional: true },
      { label: "Offset", num: true, optional: true },
      { label: "Lag p99", num: true },
    ]}
    rows={channels.map((c) => {
      const lag = status.channelLag(c.channel);
      return [
        c.retired ? `${c.shard} (retired)` : String(c.shard),
        <Badge kind={channelKind(c.state)} text={c.state} />,
        c.queueRows === null ? NONE : fmtInt(c.queueRows),
        c.oldestQueuedAt
          ? fmtSeconds(Math.max(0, (now - Date.parse(c.oldestQueuedAt)) / 1000))
          : NONE,
        c.committedOffset === null ? NONE : fmtInt(c.committedOffset),
        lag.count === 0 ? NONE : fmtSeconds(lag.p99),
      ];
    })}
  />
);

/**
 * What a sparkline shows, over how long, and its latest and highest values: the picture has no
 * axes, so the numbers are in words beside it.
 */
function sparkCaption(
  what: string,
  points: readonly Sample[],
  window: { from: number; to: number },
  fmt: (v: number) => string,
): string {
  const minutes = Math.max(1, Math.round((window.to - window.from) / 60_000));
  const values = points.map((p) => p.value).filter((v): v is number => v !== null);
  if (!values.length) return `${what}, last ${minutes} min`;
  // "Now" is the latest sample's: none when nothing happened lately, not an older value.
  const now = points.at(-1)?.value ?? null;
  return `${what}, last ${minutes} min: ${now === null ? "none now" : `now ${fmt(now)}`}, highest ${
    fmt(Math.max(...values))
  }`;
}

/** A SNAKE_CASE name that may wrap after its underscores on a phone. */
const BreakableName: FC<{ name: string }> = ({ name }) => (
  <>
    {name.split("_").map((part, i) => (i === 0 ? part : (
      <>
        _<wbr />
        {part}
      </>
    )))}
  </>
);

const DynamicTables: FC<{ status: StatusStore }> = ({ status }) => {
  const r = status.reports;
  if (!r || r.dynamicTables.length === 0) {
    return (
      <Waiting>
        {r?.lastError
          ? `Cannot read the report chain: ${r.lastError}`
          : "Reading the report chain…"}
      </Waiting>
    );
  }
  return (
    <>
      {r.lastError && <p class="error" role="alert">Last read failed: {r.lastError}</p>}
      <DataTable
        caption={`Read from ${r.source}${
          r.checkedAt ? ` at ${fmtUtc(r.checkedAt)} (wall-clock time)` : ""
        }`}
        columns={[
          { label: "Dynamic table" },
          { label: "Target lag", optional: true },
          { label: "Freshness" },
          { label: "Data timestamp", optional: true },
          { label: "Last refresh" },
          { label: "Rows changed", num: true, optional: true },
        ]}
        rows={r.dynamicTables.map((t: DynamicTableStatus) => [
          <BreakableName name={t.name} />,
          t.targetLag === "DOWNSTREAM" && t.effectiveLagSeconds !== null
            ? `DOWNSTREAM (${fmtSeconds(t.effectiveLagSeconds)})`
            : t.targetLag,
          <>
            <Badge kind={t.state} text={t.state} /> {fmtSeconds(t.freshnessSeconds)}
          </>,
          fmtUtc(t.dataTimestamp),
          t.lastRefresh
            ? `${t.lastRefresh.state.toLowerCase()}, ${
              t.lastRefresh.durationMs === null
                ? "running"
                : fmtSeconds(t.lastRefresh.durationMs / 1000)
            }`
            : NONE,
          t.lastRefresh
            ? fmtInt(
              t.lastRefresh.rowsInserted + t.lastRefresh.rowsUpdated + t.lastRefresh.rowsDeleted,
            )
            : NONE,
        ])}
      />
    </>
  );
};
