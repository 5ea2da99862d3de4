/**
 * The live status snapshot: each role writes its own part; the web role reads the whole.
 *
 * @module
 */

/** What the generator reports. */
export interface GeneratorStatus {
  /** Latest world time reached (ISO UTC). */
  worldTime: string;
  /** Rows written to the queue per table since start. */
  rows: Record<string, number>;
  /** Rows per second over the last summary interval. */
  rowsPerSecond: number;
  /** True while backpressure holds the world clock. */
  paused: boolean;
  /** True once UNTIL was reached and every row is queued. */
  finished: boolean;
}

/** What the streamer reports per table. */
export interface ChannelStatus {
  table: string;
  pipe: string;
  channel: string;
  /** `opening`, `open`, `reopening`, `stopped`, `failed`. */
  state: string;
  /** Last committed offset token as a number, or null before any commit. */
  committedOffset: number | null;
  /** Highest offset appended (sent and accepted) so far. */
  appendedOffset: number | null;
  rowsAppended: number;
  rowsCommitted: number;
  /** Committed rows per second over a short window. */
  rowsPerSecond: number;
  /** Most recent per-row ingest lag, ms. */
  lastIngestLagMs: number | null;
  retries: number;
  reopens: number;
  /** The channel's cumulative error rows as the target reports them. */
  rowsErrorCount: number;
  lastErrorMessage: string | null;
  lastErrorOffsetUpperBound: string | null;
  /** The last problem the streamer itself hit (network, auth, ...), or null. */
  lastProblem: string | null;
}

/** A process-wide status snapshot. Roles mutate their part; readers take {@link snapshot}. */
export class StatusStore {
  /** When the process started (ms since epoch). */
  readonly startedAt: number = Date.now();
  /** The target in use, e.g. `local (emulator at http://127.0.0.1:1234)`. */
  target = "";
  generator: GeneratorStatus | null = null;
  readonly channels = new Map<string, ChannelStatus>();
  /** Reasons the process is not ready; empty when ready. Keyed by the role that set them. */
  readonly #notReady = new Map<string, string[]>();

  /** Sets (or with an empty list clears) a role's not-ready reasons. */
  setNotReady(role: string, reasons: string[]): void {
    if (reasons.length === 0) this.#notReady.delete(role);
    else this.#notReady.set(role, reasons);
  }

  /** Every current not-ready reason. */
  notReadyReasons(): string[] {
    return [...this.#notReady.values()].flat();
  }

  /** A JSON-ready copy of the whole status. */
  snapshot(): Record<string, unknown> {
    return {
      startedAt: new Date(this.startedAt).toISOString(),
      target: this.target,
      generator: this.generator,
      channels: Object.fromEntries(this.channels),
      notReady: this.notReadyReasons(),
    };
  }
}
