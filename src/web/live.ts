/**
 * Live updates over server-sent events, shared by every open page.
 *
 * Each distinct live view (a page with its query choices) is a topic. When something changes, a
 * topic with subscribers is rendered once and the same bytes go to all of them: a hundred open
 * tabs cost one render, not a hundred. Messages are htmx `<hx-partial>` fragments, which the SSE
 * extension swaps into the page by id.
 *
 * Bounded by design: a cap on subscribers, a heartbeat that finds dead connections, and a
 * per-client buffer limit that drops a client which stops reading instead of queueing for it
 * without end.
 *
 * How a refused client comes back. htmx 4's SSE extension (`hx-sse.js` in the htmx.org package)
 * takes over a response only when it is `text/event-stream`; any other first answer (a 503, say)
 * is an ordinary htmx response, and the extension never tries again. Once it holds a stream, it
 * reconnects whenever the stream ends, after `reconnectDelay` (500 ms, or the last `retry:` it
 * read) with ±30% jitter, doubling after each failed reconnect up to a minute. And it applies a
 * `retry:` field only from a block that has data or an event name: a bare `retry:` block is
 * dropped. So every stream opens with `retry:` and an event (`live-open`), and a client that may
 * not connect now (over the cap, the hub closing, the page's data not readable yet) gets a short
 * stream instead of an error: `retry:` with the delay, one `live-retry` event saying why, and the
 * end, after which the extension waits and tries again ({@link retryLaterResponse}).
 *
 * @module
 */

/** Options of {@link LiveHub}. */
export interface LiveHubOptions {
  /** Most open event streams (default 200). */
  maxSubscribers?: number;
  /** Comment sent to every stream this often, ms (default 15 s). */
  heartbeatMs?: number;
  /** Reconnect delay suggested to clients when a stream ends, ms (default 2 s). */
  retryMs?: number;
  /** Reconnect delay given to a client that may not connect now, ms (default 5 s). */
  busyRetryMs?: number;
  /** Bytes queued for one client before it is dropped as not reading (default 1 MiB). */
  maxBufferedBytes?: number;
}

/** Renders a topic's current fragment (an `hx-partial` or several). */
export type Render = () => Promise<string>;

interface Subscriber {
  controller: ReadableStreamDefaultController<Uint8Array>;
  topic: Topic;
  closed: boolean;
}

interface Topic {
  key: string;
  render: Render;
  subscribers: Set<Subscriber>;
  /** The last message published with an id, for clients that connect behind it. */
  last?: { id: string; message: string };
}

const encoder = new TextEncoder();

/** Ends the stream of a client that stopped reading (the server's error hook sees this class). */
export class SlowClientError extends Error {
  constructor() {
    super("live client stopped reading; its stream was dropped");
    this.name = "SlowClientError";
  }
}

const STREAM_HEADERS = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-store",
  "X-Accel-Buffering": "no",
};

/** The first block of every stream: the reconnect delay, on an event so that htmx applies it. */
export function openingBlock(retryMs: number): string {
  return `retry: ${retryMs}\nevent: live-open\n\n`;
}

/**
 * The answer to a client that may not connect now: an event stream that sets the reconnect delay
 * to `retryMs`, says why in a `live-retry` event, and ends. The SSE extension (or an EventSource)
 * then waits `retryMs` (htmx adds ±30% jitter, spreading a crowd) and connects again.
 */
export function retryLaterResponse(retryMs: number, why: string): Response {
  const body = `retry: ${retryMs}\nevent: live-retry\n${sseData(why)}\n\n`;
  return new Response(body, { headers: STREAM_HEADERS });
}

function sseData(data: string): string {
  return data.split(/\r\n|\r|\n/).map((l) => `data: ${l}`).join("\n");
}

/** One SSE message: each line of `data` as its own `data:` field. */
export function sseMessage(data: string, id?: string): string {
  return `${id === undefined ? "" : `id: ${id}\n`}${sseData(data)}\n\n`;
}

/** The topics, their subscribers and the fan-out. */
export class LiveHub {
  readonly #topics = new Map<string, Topic>();
  readonly #max: number;
  readonly #retryMs: number;
  readonly #busyRetryMs: number;
  readonly #maxBuffered: number;
  readonly #heartbeat: ReturnType<typeof setInterval>;
  readonly #onClose: (() => void)[] = [];
  #count = 0;
  #closed = false;
  #renders = 0;
  #refused = 0;

  constructor(options: LiveHubOptions = {}) {
    this.#max = options.maxSubscribers ?? 200;
    this.#retryMs = options.retryMs ?? 2000;
    this.#busyRetryMs = options.busyRetryMs ?? 5000;
    this.#maxBuffered = options.maxBufferedBytes ?? 1 << 20;
    this.#heartbeat = setInterval(
      () => this.#broadcast(": heartbeat\n\n"),
      options.heartbeatMs ?? 15_000,
    );
    // The heartbeat alone must not keep a process (or a test) alive.
    Deno.unrefTimer(this.#heartbeat);
  }

  /** Open event streams. */
  get subscribers(): number {
    return this.#count;
  }

  /** Topic renders so far (each serves every subscriber of its topic). */
  get renders(): number {
    return this.#renders;
  }

  /** Connections answered "retry later" so far (over the cap, closing, or not readable yet). */
  get refused(): number {
    return this.#refused;
  }

  /** Tells a client to come back after the busy delay (see the module doc), saying `why`. */
  retryLater(why: string): Response {
    this.#refused++;
    return retryLaterResponse(this.#busyRetryMs, why);
  }

  /**
   * What a HEAD request of a stream gets: the stream's headers, without subscribing. Answered as
   * GET without a body, it would open a stream nobody reads and hold one of the subscriber slots
   * until its buffer filled: a few hundred HEADs locked every browser out of live updates.
   */
  head(): Response {
    return new Response(null, { headers: STREAM_HEADERS });
  }

  /**
   * Opens an event stream on topic `key`. When the client's view (`seenId`, the event id it last
   * had) is older than `currentId`, the current view is sent first: the topic's last published
   * message when it is that one, else one render. Above the subscriber cap, and once closed, the
   * client is told to retry later ({@link retryLaterResponse}).
   */
  async connect(
    key: string,
    render: Render,
    ids: { seenId?: string; currentId?: string } = {},
  ): Promise<Response> {
    if (this.#closed) return this.retryLater("the server is shutting down");
    if (this.#count >= this.#max) return this.retryLater("too many live connections");
    let topic = this.#topics.get(key);
    if (!topic) {
      topic = { key, render, subscribers: new Set() };
      this.#topics.set(key, topic);
    }
    const t = topic;
    let initial: string | undefined;
    if (ids.currentId !== undefined && ids.seenId !== ids.currentId) {
      if (t.last?.id === ids.currentId) initial = t.last.message;
      else {
        try {
          this.#renders++;
          initial = sseMessage(await render(), ids.currentId);
          t.last = { id: ids.currentId, message: initial };
        } catch {
          // The next change brings the view; the stream opens all the same.
        }
      }
    }
    let sub: Subscriber;
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        sub = { controller, topic: t, closed: false };
        t.subscribers.add(sub);
        this.#count++;
        controller.enqueue(encoder.encode(openingBlock(this.#retryMs)));
        if (initial !== undefined) controller.enqueue(encoder.encode(initial));
      },
      cancel: () => this.#drop(sub),
    }, { highWaterMark: 0, size: (chunk) => chunk.byteLength });
    return new Response(body, { headers: STREAM_HEADERS });
  }

  /**
   * Renders every topic `matches` selects that has subscribers, once each, and sends the result
   * (with event id `id`) to all of its subscribers. Returns how many topics were sent.
   */
  async publish(
    matches: (key: string) => boolean,
    id?: string,
  ): Promise<number> {
    let sent = 0;
    const jobs: Promise<void>[] = [];
    for (const topic of this.#topics.values()) {
      if (topic.subscribers.size === 0 || !matches(topic.key)) continue;
      jobs.push((async () => {
        let html: string;
        try {
          this.#renders++;
          html = await topic.render();
        } catch {
          // The page's own error panel covers failed reads; a failed render sends nothing.
          return;
        }
        const message = sseMessage(html, id);
        if (id !== undefined) topic.last = { id, message };
        this.#send(topic, message);
        sent++;
      })());
    }
    await Promise.all(jobs);
    return sent;
  }

  /** Sends `data` (already rendered) to every subscriber of every topic. */
  broadcast(data: string): void {
    this.#broadcast(sseMessage(data));
  }

  /** Runs `fn` when the hub closes (to unsubscribe what feeds it). */
  onClose(fn: () => void): void {
    this.#onClose.push(fn);
  }

  /**
   * Ends every stream and refuses new ones. Call it before the server shuts down: an open event
   * stream is a request that never ends, and a graceful shutdown would wait for it.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#heartbeat);
    for (const fn of this.#onClose.splice(0)) {
      try {
        fn();
      } catch {
        // Unsubscribing must not stop the others.
      }
    }
    for (const topic of this.#topics.values()) {
      for (const sub of topic.subscribers) {
        try {
          sub.controller.close();
        } catch {
          // Already closed by the client.
        }
        this.#drop(sub);
      }
    }
  }

  #broadcast(message: string): void {
    for (const topic of this.#topics.values()) this.#send(topic, message);
  }

  #send(topic: Topic, message: string): void {
    const bytes = encoder.encode(message);
    for (const sub of topic.subscribers) {
      const c = sub.controller;
      // desiredSize goes negative by what is queued and unread: a client that stopped reading.
      if ((c.desiredSize ?? 0) < -this.#maxBuffered) {
        try {
          c.error(new SlowClientError());
        } catch {
          // Already gone.
        }
        this.#drop(sub);
        continue;
      }
      try {
        c.enqueue(bytes);
      } catch {
        this.#drop(sub);
      }
    }
  }

  #drop(sub: Subscriber | undefined): void {
    if (!sub || sub.closed) return;
    sub.closed = true;
    sub.topic.subscribers.delete(sub);
    this.#count--;
    if (sub.topic.subscribers.size === 0) this.#topics.delete(sub.topic.key);
  }
}
