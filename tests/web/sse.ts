/**
 * A server-sent events client for the tests: reads an event stream with fetch, as a browser's
 * EventSource would, and keeps every message, comment and `retry` it got, in order.
 */

/** One block of the stream. */
export interface SseBlock {
  /**
   * `message`: has data; `retry`: a reconnect delay without data (the opening block);
   * `comment`: only `:` lines (heartbeats).
   */
  kind: "message" | "comment" | "retry";
  id?: string;
  /** The `event:` name, when the block has one. */
  event?: string;
  /** The `data:` lines joined with `\n`. */
  data: string;
  comment?: string;
  retry?: number;
}

/** Parses one block (the text between blank lines). */
export function parseBlock(block: string): SseBlock {
  const data: string[] = [];
  const comments: string[] = [];
  let id: string | undefined;
  let event: string | undefined;
  let retry: number | undefined;
  for (const line of block.split(/\r\n|\r|\n/)) {
    if (line.startsWith(":")) comments.push(line.slice(1).trim());
    else {
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? "" : line.slice(colon + 1);
      if (value.startsWith(" ")) value = value.slice(1);
      if (field === "data") data.push(value);
      else if (field === "id") id = value;
      else if (field === "event") event = value;
      else if (field === "retry") retry = Number(value);
    }
  }
  const fields = {
    ...(id === undefined ? {} : { id }),
    ...(event === undefined ? {} : { event }),
    ...(retry === undefined ? {} : { retry }),
  };
  if (data.length) return { kind: "message", ...fields, data: data.join("\n") };
  if (retry !== undefined) return { kind: "retry", ...fields, data: "" };
  return { kind: "comment", ...fields, data: "", comment: comments.join("\n") };
}

/** An open event stream. */
export class SseClient {
  readonly response: Response;
  /** Every block received so far. */
  readonly blocks: SseBlock[] = [];
  readonly #abort: AbortController;
  readonly #reading: Promise<void>;
  #waiters = new Set<() => void>();
  #ended = false;
  #error: Error | undefined;

  private constructor(response: Response, abort: AbortController) {
    this.response = response;
    this.#abort = abort;
    this.#reading = this.#read();
  }

  /** GETs `url`; the stream is read in the background when the answer is 200. */
  static async open(url: string, headers: HeadersInit = {}): Promise<SseClient> {
    const abort = new AbortController();
    const response = await fetch(url, {
      headers: { Accept: "text/event-stream", ...headers },
      signal: abort.signal,
    });
    return new SseClient(response, abort);
  }

  /** The messages (blocks with data) received so far, except the markers of {@link settled}. */
  get messages(): SseBlock[] {
    return this.blocks.filter(isView);
  }

  /** Whether the server ended the stream (or it failed). */
  get ended(): boolean {
    return this.#ended;
  }

  async #read(): Promise<void> {
    if (!this.response.ok || !this.response.body) {
      await this.response.body?.cancel();
      this.#finish();
      return;
    }
    let buffer = "";
    try {
      for await (const text of this.response.body.pipeThrough(new TextDecoderStream())) {
        buffer += text;
        for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
          this.blocks.push(parseBlock(buffer.slice(0, end)));
          buffer = buffer.slice(end + 2);
        }
        this.#wake();
      }
    } catch (e) {
      if (!this.#abort.signal.aborted) this.#error = e as Error;
    } finally {
      this.#finish();
    }
  }

  #finish(): void {
    this.#ended = true;
    this.#wake();
  }

  #wake(): void {
    for (const w of this.#waiters) w();
  }

  /**
   * Waits until `count` blocks satisfy `pred` (counting from the start of the stream) and
   * returns them; throws after `ms`, or when the stream ends first.
   */
  async waitFor(pred: (b: SseBlock) => boolean, count = 1, ms = 10_000): Promise<SseBlock[]> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.blocks.filter(pred);
      if (found.length >= count) return found;
      if (this.#ended) {
        throw new Error(`stream ended with ${found.length} of ${count} blocks (${this.#error})`);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${found.length} of ${count} blocks within ${ms} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        const waiters = this.#waiters;
        function done() {
          clearTimeout(timer);
          waiters.delete(done);
          resolve();
        }
        waiters.add(done);
      });
    }
  }

  /** Waits until the server ends the stream; throws after `ms`. */
  async waitForEnd(ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!this.#ended) {
      if (Date.now() > deadline) throw new Error(`stream still open after ${ms} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Disconnects (like closing the tab) and waits for the reader to stop. */
  async close(): Promise<void> {
    this.#abort.abort();
    await this.#reading;
  }
}

/** Waits until `check()` is true; throws with `what` after `ms`. */
export async function eventually(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Returns once every client has everything the hub sent before this call: a marker goes to every
 * open stream, and a stream keeps its order, so when the marker is there nothing older is still
 * on its way. What a client got before the marker is then all it will get of that time (the
 * marker itself is not a view: see {@link isView}).
 */
export async function settled(
  live: { broadcast(data: string): void },
  clients: readonly SseClient[],
): Promise<void> {
  const marker = `${MARKER}${++markers}`;
  live.broadcast(marker);
  await Promise.all(clients.map((c) => c.waitFor((b) => b.data === marker)));
}

const MARKER = "test marker ";
let markers = 0;

/** A message that is a view or a clock update, not a marker of {@link settled}. */
export const isView = (b: SseBlock): boolean => b.kind === "message" && !b.data.startsWith(MARKER);

/** Waits `ms`: pacing only (a loop that gives the other side time), never to let a check pass. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
