/**
 * Channel status polls of one pipe, gathered into bulk requests: every channel of a table polls
 * for its own commits (channel_streamer.ts), and the bulk status endpoint answers for several
 * channels at once. Polls asked for within {@link StatusBatcher}'s gap of the last request wait
 * for the next one and share it, so a table sends at most one status request per gap however many
 * channels it has. With four channels per table that is a quarter of the requests (each one costs
 * the streamer and the embedded emulator alike), for at most one gap more of waiting.
 *
 * @module
 */
import type { ChannelState } from "../snowflake/streaming_client.ts";
import type { RetryReason } from "../snowflake/errors.ts";
import type { Clock } from "./clock.ts";
import type { StreamingApi } from "./channel_streamer.ts";

interface Waiter {
  channel: string;
  resolve: (state: ChannelState | undefined) => void;
  reject: (e: unknown) => void;
  onRetry?: (reason: RetryReason) => void;
}

/** One pipe's status polls, sent in bulk. */
export class StatusBatcher {
  readonly #api: Pick<StreamingApi, "channelStatus">;
  readonly #pipe: string;
  readonly #clock: Clock;
  readonly #gapMs: number;
  readonly #signal: AbortSignal;
  #waiting: Waiter[] = [];
  #scheduled = false;
  #lastSentAt = -Infinity;

  /**
   * Polls of `pipe` through `api`, at most one request per `gapMs` on `clock`; requests are
   * abandoned when `signal` aborts (the streamer's hard stop).
   */
  constructor(
    api: Pick<StreamingApi, "channelStatus">,
    pipe: string,
    clock: Clock,
    gapMs: number,
    signal: AbortSignal,
  ) {
    this.#api = api;
    this.#pipe = pipe;
    this.#clock = clock;
    this.#gapMs = gapMs;
    this.#signal = signal;
  }

  /**
   * The status of `channel` (undefined when the service does not know it), from the next bulk
   * request of this pipe. Rejects with an AbortError when `signal` aborts first, and with the
   * request's failure.
   */
  status(
    channel: string,
    opts: { signal: AbortSignal; onRetry?: (reason: RetryReason) => void },
  ): Promise<ChannelState | undefined> {
    return new Promise((resolve, reject) => {
      const { signal } = opts;
      if (signal.aborted) return reject(signal.reason);
      const onAbort = () => {
        this.#waiting = this.#waiting.filter((w) => w !== waiter);
        reject(signal.reason);
      };
      const waiter: Waiter = {
        channel,
        onRetry: opts.onRetry,
        resolve: (s) => {
          signal.removeEventListener("abort", onAbort);
          resolve(s);
        },
        reject: (e) => {
          signal.removeEventListener("abort", onAbort);
          reject(e);
        },
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.#waiting.push(waiter);
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled || this.#waiting.length === 0) return;
    this.#scheduled = true;
    const wait = Math.max(0, this.#lastSentAt + this.#gapMs - this.#clock.now());
    this.#clock.timer(wait, () => {
      this.#scheduled = false;
      void this.#send();
    });
  }

  async #send(): Promise<void> {
    const batch = this.#waiting;
    this.#waiting = [];
    if (batch.length === 0) return;
    this.#lastSentAt = this.#clock.now();
    const channels = [...new Set(batch.map((w) => w.channel))];
    try {
      const statuses = await this.#api.channelStatus(this.#pipe, channels, {
        signal: this.#signal,
        // One request retried once counts once: against the first channel that asked.
        onRetry: batch[0].onRetry,
      });
      for (const w of batch) w.resolve(statuses.get(w.channel));
    } catch (e) {
      for (const w of batch) w.reject(e);
    }
    this.#schedule();
  }
}
